"""Garbage collection of dependents, done synchronously when their owner is deleted.

Kubernetes' garbage collector deletes the objects whose ``ownerReferences`` name a
deleted owner (a Deployment's ReplicaSets, their Pods), or with the ``Orphan``
policy strips those references and leaves the objects behind.
"""

from __future__ import annotations

import copy
from typing import Any

from console.sandbox.store import KINDS, ObjectStore, StoreError

Manifest = dict[str, Any]


def _dependents(store: ObjectStore, uid: str) -> list[tuple[str, Manifest]]:
    return [
        (kind, obj)
        for kind in KINDS
        for obj in store.list(kind)
        if any(ref.get("uid") == uid for ref in obj["metadata"].get("ownerReferences") or [])
    ]


def release_dependents(store: ObjectStore, owner: Manifest, *, orphan: bool) -> int:
    """Delete (or, with ``orphan``, detach) every object owned by ``owner``,
    transitively when deleting; returns how many objects were affected."""
    uid = owner["metadata"].get("uid")
    if not uid:
        return 0
    affected = 0
    for kind, obj in _dependents(store, uid):
        meta = obj["metadata"]
        try:
            if orphan:
                detached = copy.deepcopy(obj)
                detached["metadata"]["ownerReferences"] = [
                    ref for ref in meta["ownerReferences"] if ref.get("uid") != uid
                ]
                store.update(kind, detached)
            else:
                store.delete(kind, meta.get("namespace", ""), meta["name"])
                affected += release_dependents(store, obj, orphan=False)
        except StoreError:
            continue
        affected += 1
    return affected
