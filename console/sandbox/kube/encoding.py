"""Serialising stored objects, once per version.

A list of 5,000 pods is about 10 MB of JSON; encoding it afresh for every list
and every watcher costs a third of a second each time. ``Encoder`` keeps each
live object's compact JSON until the object changes (it listens to the store's
commits), so lists and watch events are assembled from ready-made bytes.
"""

from __future__ import annotations

import json
from typing import Any

from console.sandbox.store import Change, ObjectStore

Manifest = dict[str, Any]
_Key = tuple[str, str, str]


def dumps(value: Any) -> bytes:
    """Compact JSON bytes of ``value``."""
    return json.dumps(value, separators=(",", ":")).encode()


class Encoder:
    """Compact JSON of stored objects, cached per (kind, namespace, name) and
    resourceVersion, forgotten as soon as the object changes or is deleted."""

    def __init__(self, store: ObjectStore) -> None:
        self._cache: dict[_Key, tuple[str, bytes]] = {}
        store.subscribe(self._forget)

    def _forget(self, kind: str, change: Change) -> None:
        meta = change.obj["metadata"]
        self._cache.pop((kind, meta.get("namespace", ""), meta["name"]), None)

    def encode(self, kind: str, obj: Manifest, *, cache: bool = True) -> bytes:
        """``obj``'s JSON; reused while its resourceVersion is unchanged. Pass
        ``cache=False`` for an object no longer stored (a DELETED event's)."""
        meta = obj["metadata"]
        rv = meta.get("resourceVersion", "")
        key = (kind, meta.get("namespace", ""), meta["name"])
        hit = self._cache.get(key)
        if hit is not None and hit[0] == rv:
            return hit[1]
        data = dumps(obj)
        if cache and rv:
            self._cache[key] = (rv, data)
        return data

    def list_body(self, kind: str, list_kind: str, api_version: str, metadata: Manifest,
                  items: list[Manifest]) -> bytes:
        """A ``<Kind>List`` document holding ``items`` of ``kind``."""
        head = dumps({"kind": list_kind, "apiVersion": api_version, "metadata": metadata})
        return (head[:-1] + b',"items":[' + b",".join(self.encode(kind, o) for o in items)
                + b"]}")

    def event(self, type_: str, kind: str, obj: Manifest) -> bytes:
        """One newline-terminated watch event line for ``obj``."""
        body = self.encode(kind, obj, cache=type_ != "DELETED")
        return b'{"type":"' + type_.encode() + b'","object":' + body + b"}\n"
