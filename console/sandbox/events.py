"""core/v1 Events as the sandbox's controllers and kubelet record them.

Like client-go's event recorder, a repeat of the same event (same object, type,
reason and message) bumps ``count`` and ``lastTimestamp`` of the existing Event
instead of writing a new one. Events are buffered and written on ``flush()``
(once per reconcile); the store keeps at most ``limit`` of them and none older
than ``ttl`` (the API server's default is one hour), oldest removed first. An
event pruned before it was ever flushed is never written at all, which keeps a
large world's start-up cheap.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from console.sandbox.clock import iso
from console.sandbox.store import Manifest, ObjectStore

EventType = Literal["Normal", "Warning"]
EventKey = tuple[str, str]

_KIND_API = {"Pod": "v1", "Node": "v1", "ReplicaSet": "apps/v1", "Deployment": "apps/v1",
             "HorizontalPodAutoscaler": "autoscaling/v2"}


@dataclass(slots=True)
class _Event:
    """One event as recorded; ``manifest()`` is what the store holds."""

    involved: dict[str, Any]
    type: EventType
    reason: str
    message: str
    component: str
    host: str
    first: float
    last: float
    count: int = 1
    dirty: bool = True

    def manifest(self, key: EventKey) -> Manifest:
        source = {"component": self.component, **({"host": self.host} if self.host else {})}
        return {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": key[1], "namespace": key[0], "creationTimestamp": iso(self.first)},
            "involvedObject": self.involved,
            "reason": self.reason,
            "message": self.message,
            "source": source,
            "firstTimestamp": iso(self.first),
            "lastTimestamp": iso(self.last),
            "count": self.count,
            "type": self.type,
            "eventTime": None,
            "reportingComponent": self.component,
            "reportingInstance": self.host,
        }


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
        #: (namespace, event name) -> event, least recently seen first.
        self._events: OrderedDict[EventKey, _Event] = OrderedDict()
        self._by_identity: dict[tuple[str, ...], EventKey] = {}
        self._dirty: list[EventKey] = []
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
        namespace = meta.get("namespace", "default")
        identity = (namespace, meta.get("uid", ""), field_path, type_, reason, message)
        now = self._now()
        key = self._by_identity.get(identity)
        event = self._events.pop(key, None) if key is not None else None
        if event is not None and key is not None:
            event.count += 1
            event.last, event.dirty = now, True
            self._events[key] = event
            self._dirty.append(key)
            return
        kind = obj.get("kind", "Pod")
        involved = {
            "kind": kind,
            "namespace": namespace,
            "name": meta["name"],
            "uid": meta.get("uid", ""),
            "apiVersion": _KIND_API.get(kind, "v1"),
            "resourceVersion": meta.get("resourceVersion", ""),
            **({"fieldPath": field_path} if field_path else {}),
        }
        self._seq += 1
        key = (namespace, f"{meta['name']}.{int(now * 1e9) + self._seq:x}")
        self._events[key] = _Event(involved, type_, reason, message, component, host, now, now)
        self._by_identity[identity] = key
        self._dirty.append(key)

    def flush(self) -> None:
        """Prune old events, then write new and repeated ones to the store."""
        self._prune()
        dirty, self._dirty = self._dirty, []
        for key in dirty:
            event = self._events.get(key)
            if event is None or not event.dirty:
                continue
            event.dirty = False
            if self._store.get("events", *key) is None:
                self._store.create("events", event.manifest(key))
            else:
                self._store.update("events", event.manifest(key))

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
