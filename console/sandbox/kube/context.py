"""What every handler of the Kubernetes face works with: the world it serves
(``Face``) and the object a request addresses (``Target``, parsed from the path)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.sandbox.kube.encoding import Encoder
from console.sandbox.kube.resources import Resource, lookup
from console.sandbox.kube.status import ApiError, not_found

if TYPE_CHECKING:
    from console.sandbox.store import ObjectStore
    from console.sandbox.world import World

Manifest = dict[str, Any]

PATH_NOT_FOUND = "the server could not find the requested resource"


@dataclass(frozen=True, slots=True)
class Target:
    """The resource, namespace, object name and subresource a URL addresses."""

    res: Resource
    namespace: str | None = None
    name: str | None = None
    sub: str | None = None

    @property
    def store_namespace(self) -> str:
        """The namespace part of the object's store key (``""`` if cluster-scoped)."""
        return self.namespace or ""


def parse_target(group: str, tail: str, version: str = "v1") -> Target:
    """The Target for ``/api/v1/<tail>`` (group ``""``) or
    ``/apis/<group>/<version>/<tail>``. Raises ``ApiError`` 404 for a path the
    server does not serve."""
    parts = [p for p in tail.split("/") if p]
    namespace = None
    if len(parts) >= 3 and parts[0] == "namespaces":
        scoped = lookup(group, parts[2], version)
        if scoped is not None and scoped.namespaced:
            namespace, parts = parts[1], parts[2:]
    res = lookup(group, parts[0], version) if parts else None
    if res is None or len(parts) > 3 or (namespace is None and res.namespaced and len(parts) > 1):
        raise ApiError("NotFound", PATH_NOT_FOUND, details={})
    name = parts[1] if len(parts) > 1 else None
    sub = parts[2] if len(parts) > 2 else None
    if sub is not None and sub not in res.subresources:
        raise ApiError("NotFound", PATH_NOT_FOUND, details={})
    return Target(res, namespace, name, sub)


class Face:
    """The world behind the face, and the face's own settings."""

    def __init__(self, world: World, *, bookmark_interval: float = 60.0,
                 watch_timeout: float = 1800.0) -> None:
        self.world = world
        self.encoder = Encoder(world.store)
        self.bookmark_interval = bookmark_interval
        self.watch_timeout = watch_timeout

    @property
    def store(self) -> ObjectStore:
        """The world's object store (the API server's storage)."""
        return self.world.store

    def now(self) -> float:
        """The world's simulated unix time (what ages are measured against)."""
        return self.world.now()

    def current(self, target: Target) -> Manifest:
        """The stored object ``target`` names. Raises ``ApiError`` 404 NotFound."""
        assert target.name is not None
        obj = self.store.get(target.res.plural, target.store_namespace, target.name)
        if obj is None:
            raise not_found(target.res, target.name)
        return obj

    def serialisable(self, target: Target, obj: Manifest) -> Manifest:
        """``obj`` with ``kind`` and ``apiVersion`` present (a copy only when missing)."""
        if "kind" in obj and "apiVersion" in obj:
            return obj
        filled = copy.copy(obj)
        filled.setdefault("kind", target.res.kind)
        filled.setdefault("apiVersion", target.res.api_version)
        return filled
