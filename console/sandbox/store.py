"""The sandbox's API-server storage: manifests by kind, resource versions, watch history.

Everything the sandbox's Kubernetes face serves lives here as plain JSON-shaped
dicts, exactly as the real API would serialise them. The controllers
(``console.sandbox.controllers``) and the face (``console.sandbox.kube_face``)
both read and write through this one object, on one asyncio loop, so no locking
is needed.

Stored objects are never changed in place: what ``get`` and ``list`` return is
read-only, and writers hand over new dicts (``{**stored, "status": status}``).
The store copies what it is given, except what it already holds.

Resource versions are one global, increasing integer (as etcd's revision is).
Each kind keeps a bounded history of changes; a watch from a version older than
the history's start gets ``Expired`` (the face answers ``410 Gone``).
"""

from __future__ import annotations

import asyncio
import builtins
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Manifest = dict[str, Any]

KINDS = ("namespaces", "nodes", "pods", "deployments", "replicasets", "services", "events",
         "horizontalpodautoscalers")
#: Kinds whose spec changes bump ``metadata.generation``.
GENERATED = frozenset({"deployments", "replicasets", "horizontalpodautoscalers"})
CLUSTER_SCOPED = frozenset({"namespaces", "nodes"})


class Expired(Exception):
    """The requested resourceVersion is older than the kept history."""


class StoreError(Exception):
    """A write the API server would refuse; ``code`` is the HTTP status, ``reason``
    the Status reason (NotFound, AlreadyExists, Conflict, Invalid)."""

    def __init__(self, code: int, reason: str, message: str):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class Change:
    type: str  # ADDED | MODIFIED | DELETED
    rv: int
    obj: Manifest


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_copy(value: Manifest) -> Manifest:
    """A copy of the JSON-shaped ``value`` sharing no dict or list with it.

    Scalars (str, int, float, bool, None) are immutable and shared. About six
    times faster than ``copy.deepcopy``, which the store would otherwise spend
    most of a world's population in.
    """
    out = value.copy()
    for key, item in out.items():
        if type(item) is dict:
            out[key] = json_copy(item)
        elif type(item) is list:
            out[key] = _copy_list(item)
    return out


def _copy_list(value: list[Any]) -> list[Any]:
    """``json_copy`` for a list."""
    out = value.copy()
    for i, item in enumerate(out):
        if type(item) is dict:
            out[i] = json_copy(item)
        elif type(item) is list:
            out[i] = _copy_list(item)
    return out


def _successor(new: Manifest, old: Manifest) -> Manifest:
    """``new`` made the store's own as the next version of ``old``: a fresh dict at
    the top and for ``metadata`` (which the store writes into); below them, a
    dict or list that *is* ``old``'s is shared (stored objects never change in
    place) and any other is copied. So ``{**stored, "status": status}`` costs
    a copy of ``status`` alone."""
    old_meta = old["metadata"]
    return {
        key: {k: _owned(v, old_meta.get(k)) for k, v in item.items()}
        if key == "metadata" else _owned(item, old.get(key))
        for key, item in new.items()
    }


def _owned(item: Any, previous: Any) -> Any:
    """``item`` if it is immutable or is ``previous`` (store-owned), else a copy."""
    if item is previous:
        return item
    if type(item) is dict:
        return json_copy(item)
    if type(item) is list:
        return _copy_list(item)
    return item


def obj_key(obj: Manifest) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


class ObjectStore:
    """Manifests per kind keyed by (namespace, name), with watchable history."""

    def __init__(self, history: int = 20_000, clock: Callable[[], str] = now_iso):
        self._objects: dict[str, dict[tuple[str, str], Manifest]] = {k: {} for k in KINDS}
        self._history: dict[str, deque[Change]] = {k: deque(maxlen=history) for k in KINDS}
        self._oldest: dict[str, int] = dict.fromkeys(KINDS, 0)
        self._rv = 1
        self._clock = clock
        self._waiters: set[asyncio.Future[None]] = set()
        self._listeners: list[Callable[[str, Change], None]] = []

    # ---------------------------------------------------------------- reading

    @property
    def resource_version(self) -> int:
        return self._rv

    def list(self, kind: str, namespace: str | None = None) -> list[Manifest]:
        """Objects of ``kind``, sorted by namespace then name (as the API does)."""
        objs = self._objects[kind]
        keys = sorted(objs) if not namespace else sorted(k for k in objs if k[0] == namespace)
        return [objs[k] for k in keys]

    def get(self, kind: str, namespace: str, name: str) -> Manifest | None:
        return self._objects[kind].get((namespace if kind not in CLUSTER_SCOPED else "", name))

    def changes_since(self, kind: str, rv: int) -> builtins.list[Change]:
        """Changes to ``kind`` with a version above ``rv``. Raises ``Expired``."""
        if rv < self._oldest[kind]:
            raise Expired(f"too old resource version: {rv} ({self._oldest[kind]})")
        hist = self._history[kind]
        if not hist or hist[-1].rv <= rv:
            return []
        return [c for c in hist if c.rv > rv]

    def iter_all(self) -> Iterator[tuple[str, Manifest]]:
        for kind, objs in self._objects.items():
            for obj in objs.values():
                yield kind, obj

    # ---------------------------------------------------------------- writing

    def create(self, kind: str, obj: Manifest) -> Manifest:
        """Store a new object, filling uid, creationTimestamp, resourceVersion and
        (for kinds with a spec) generation. Raises ``StoreError`` 409 if it exists."""
        obj = json_copy(obj)
        meta = obj.setdefault("metadata", {})
        if kind in CLUSTER_SCOPED:
            meta.pop("namespace", None)
        key = obj_key(obj)
        if key in self._objects[kind]:
            raise StoreError(409, "AlreadyExists", f'{kind} "{key[1]}" already exists')
        meta.setdefault("uid", str(uuid.UUID(int=self._rv * 7919 + len(self._objects[kind]))))
        meta.setdefault("creationTimestamp", self._clock())
        if "spec" in obj and kind in GENERATED:
            meta["generation"] = 1
        return self._commit(kind, "ADDED", obj)

    def update(self, kind: str, obj: Manifest, *, expect_rv: str | None = None) -> Manifest:
        """Replace an existing object. Bumps ``metadata.generation`` when the spec
        changed. Raises ``StoreError`` 404 if missing, 409 on a stale ``expect_rv``."""
        key = obj_key(obj)
        old = self._objects[kind].get(key)
        if old is None:
            raise StoreError(404, "NotFound", f'{kind} "{key[1]}" not found')
        obj = _successor(obj, old)
        if expect_rv and expect_rv != old["metadata"]["resourceVersion"]:
            raise StoreError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {kind} "{key[1]}": the object has been '
                "modified; please apply your changes to the latest version and try again",
            )
        meta = obj["metadata"]
        for f in ("uid", "creationTimestamp"):
            meta[f] = old["metadata"][f]
        if "generation" in old["metadata"]:
            gen = old["metadata"]["generation"]
            meta["generation"] = gen + 1 if obj.get("spec") != old.get("spec") else gen
        if obj == old:
            return old
        return self._commit(kind, "MODIFIED", obj)

    def delete(self, kind: str, namespace: str, name: str) -> Manifest:
        key = (namespace if kind not in CLUSTER_SCOPED else "", name)
        old = self._objects[kind].get(key)
        if old is None:
            raise StoreError(404, "NotFound", f'{kind} "{name}" not found')
        gone = {**old, "metadata": {**old["metadata"]}}  # the rest stays shared
        return self._commit(kind, "DELETED", gone)

    def compact(self) -> None:
        """Forget every kind's change history, as etcd compaction does: from now on a
        watch (or list continuation) from any earlier version gets ``Expired``."""
        for kind in KINDS:
            self._history[kind].clear()
            self._oldest[kind] = self._rv

    def subscribe(self, listener: Callable[[str, Change], None]) -> None:
        """Call ``listener(kind, change)`` synchronously after every commit."""
        self._listeners.append(listener)

    async def wait_for_change(self, after_rv: int, timeout: float) -> bool:
        """Wait until the global version passes ``after_rv`` (True) or ``timeout`` (False)."""
        if self._rv > after_rv:
            return True
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            return False
        finally:
            self._waiters.discard(fut)
        return True

    # ---------------------------------------------------------------- internal

    def _commit(self, kind: str, type_: str, obj: Manifest) -> Manifest:
        self._rv += 1
        obj["metadata"]["resourceVersion"] = str(self._rv)
        key = obj_key(obj)
        if type_ == "DELETED":
            self._objects[kind].pop(key, None)
        else:
            self._objects[kind][key] = obj
        hist = self._history[kind]
        if len(hist) == hist.maxlen:
            self._oldest[kind] = hist[0].rv
        change = Change(type_, self._rv, obj)
        hist.append(change)
        for listener in self._listeners:
            listener(kind, change)
        if self._waiters:
            waiters, self._waiters = self._waiters, set()
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)
        return obj

