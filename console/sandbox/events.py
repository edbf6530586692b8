"""core/v1 Events as the sandbox's controllers and kubelet record them.

Like client-go's event recorder, a repeat of the same event (same object, type,
reason and message) within the aggregation window bumps ``count`` and
``lastTimestamp`` of the existing Event instead of writing a new one. Events are
buffered and written on ``flush()`` (once per reconcile), and the store keeps at
most ``limit`` of them and none older than ``ttl`` (the API server's default is
one hour), oldest removed first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from console.sandbox.clock import iso
from console.sandbox.store import Manifest, ObjectStore

EventType = Literal["Normal", "Warning"]

_KIND_API = {"Pod": "v1", "Node": "v1", "ReplicaSet": "apps/v1", "Deployment": "apps/v1"}


@dataclass(slots=True)
class _Pending:
    manifest: Manifest
    last: float
    dirty: bool = field(default=True)


class EventRecorder:
    """Records Events about objects into ``store`` on ``flush()``."""

    def __init__(
        self,
        store: ObjectStore,
        now: Callable[[], float],
        *,
        limit: int = 2000,
        ttl: float = 3600.0,
    ) -> None:
        self._store = store
        self._now = now
        self._limit = limit
        self._ttl = ttl
        #: (namespace, event name) -> event, oldest lastTimestamp first.
        self._events: OrderedDict[tuple[str, str], _Pending] = OrderedDict()
        self._by_identity: dict[tuple[str, ...], tuple[str, str]] = {}
        self._dirty: list[tuple[str, str]] = []
        self._seq = 0

    def record(
        self,
        obj: Manifest,
        type_: EventType,
        reason: str,
        message: str,
        *,
        component: str,
        host: str = "",
        field_path: str = "",
    ) -> None:
        """Note an event about ``obj`` (a Pod, ReplicaSet, Deployment or Node
        manifest); it reaches the store on the next ``flush()``."""
        meta = obj["metadata"]
        kind = obj.get("kind", "Pod")
        namespace = meta.get("namespace", "default")
        identity = (namespace, meta.get("uid", ""), field_path, type_, reason, message)
        now = self._now()
        key = self._by_identity.get(identity)
        if key is not None and key in self._events:
            pending = self._events.pop(key)
            count = pending.manifest["count"] + 1
            pending.manifest = {**pending.manifest, "count": count, "lastTimestamp": iso(now)}
            pending.last, pending.dirty = now, True
            self._events[key] = pending
            self._dirty.append(key)
            return
        self._seq += 1
        name = f"{meta['name']}.{int(now * 1e9) + self._seq:x}"
        involved: dict[str, Any] = {
            "kind": kind,
            "namespace": namespace,
            "name": meta["name"],
            "uid": meta.get("uid", ""),
            "apiVersion": _KIND_API.get(kind, "v1"),
            "resourceVersion": meta.get("resourceVersion", ""),
        }
        if field_path:
            involved["fieldPath"] = field_path
        source = {"component": component, **({"host": host} if host else {})}
        manifest: Manifest = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": iso(now)},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": iso(now),
            "lastTimestamp": iso(now),
            "count": 1,
            "type": type_,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host,
        }
        key = (namespace, name)
        self._events[key] = _Pending(manifest, now)
        self._by_identity[identity] = key
        self._dirty.append(key)

    def flush(self) -> None:
        """Prune old events, then write new and aggregated ones to the store."""
        self._prune()
        dirty, self._dirty = self._dirty, []
        for key in dirty:
            pending = self._events.get(key)
            if pending is None or not pending.dirty:
                continue
            pending.dirty = False
            if self._store.get("events", *key) is None:
                pending.manifest = self._store.create("events", pending.manifest)
            else:
                pending.manifest = self._store.update("events", pending.manifest)

    def _prune(self) -> None:
        horizon = self._now() - self._ttl
        while self._events:
            key, oldest = next(iter(self._events.items()))
            if len(self._events) <= self._limit and oldest.last >= horizon:
                break
            del self._events[key]
            if self._store.get("events", *key) is not None:
                self._store.delete("events", *key)
        if len(self._by_identity) > 2 * self._limit:
            self._by_identity = {i: k for i, k in self._by_identity.items() if k in self._events}
