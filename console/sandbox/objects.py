"""Small helpers over Kubernetes manifests shared by the sandbox controllers:
owner references, pod-template hashes, pod readiness and resource requests."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from console.sandbox.quantity import milli
from console.sandbox.store import Manifest

#: The alphabet of Kubernetes generated names (no vowels, no look-alike digits).
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
CHANGE_CAUSE = "kubernetes.io/change-cause"


log = logging.getLogger(__name__)


@contextmanager
def skipping_malformed(kind: str, key: tuple[str, str]) -> Iterator[None]:
    """Log and skip an object whose manifest breaks a controller (one the real
    API server's validation would have refused), so the rest of the world runs on."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError):
        log.exception("sandbox: cannot reconcile %s %s/%s", kind, *key)


def random_suffix(rng: random.Random, length: int = 5) -> str:
    """A generated-name suffix such as ``x7k2q``."""
    return "".join(rng.choice(NAME_ALPHABET) for _ in range(length))


def _fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def canonical(value: Any) -> Any:
    """``value`` without null fields and empty maps or lists, so that two pod
    templates equal in the API's typed sense (``creationTimestamp: null`` or
    ``annotations: {}`` present or not) compare and hash equal."""
    if isinstance(value, dict):
        kept = {k: canonical(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def same_template(rs_template: Manifest, template: Manifest) -> bool:
    """Whether a ReplicaSet's template is ``template`` apart from its
    ``pod-template-hash`` label (the controller's EqualIgnoreHash)."""
    return bool(canonical(without_hash(rs_template)) == canonical(template))


def template_hash(template: Manifest, collision_count: int = 0) -> str:
    """The ``pod-template-hash`` of a pod template, computed as the deployment
    controller does: FNV-32a of the template (plus the collision count), its
    decimal digits mapped onto ``NAME_ALPHABET`` (9-10 characters, stable)."""
    data = json.dumps(canonical(template), sort_keys=True, separators=(",", ":")).encode()
    if collision_count:
        data += str(collision_count).encode()
    return "".join(NAME_ALPHABET[int(d) % len(NAME_ALPHABET)] for d in str(_fnv32a(data)))


def without_hash(template: Manifest) -> Manifest:
    """``template`` without the ``pod-template-hash`` label (a shallow copy)."""
    labels = template.get("metadata", {}).get("labels", {})
    if HASH_LABEL not in labels:
        return template
    meta = {**template["metadata"], "labels": {k: v for k, v in labels.items() if k != HASH_LABEL}}
    return {**template, "metadata": meta}


def controller_ref(owner: Manifest) -> dict[str, Any]:
    """The ``ownerReferences`` entry that makes ``owner`` the controller of an object."""
    return {
        "apiVersion": owner.get("apiVersion", "v1"),
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_uid(obj: Manifest) -> str | None:
    """The uid of the object's controlling owner, or None."""
    for ref in obj["metadata"].get("ownerReferences", ()):
        if ref.get("controller"):
            return str(ref["uid"])
    return None


def revision(obj: Manifest) -> int:
    """The ``deployment.kubernetes.io/revision`` annotation as an int (0 if absent)."""
    try:
        return int(obj["metadata"].get("annotations", {}).get(REVISION, 0))
    except ValueError:
        return 0


def condition(obj: Manifest, type_: str) -> dict[str, Any] | None:
    """The status condition of ``type_``, or None."""
    for cond in obj.get("status", {}).get("conditions", ()):
        if cond.get("type") == type_:
            return dict(cond)
    return None


def is_ready(pod: Manifest) -> bool:
    """Whether the pod's Ready condition is True."""
    cond = condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


def is_terminal(pod: Manifest) -> bool:
    """Whether the pod has finished (Succeeded or Failed)."""
    return pod.get("status", {}).get("phase") in ("Succeeded", "Failed")


def pod_requests(spec: Manifest) -> dict[str, int]:
    """What a pod asks the scheduler for, in milli-units per resource: each
    container's requests (a missing request defaults to its limit), summed, and
    at least the largest init container's; plus one ``pods`` slot."""
    total: dict[str, int] = {}
    for container in spec.get("containers", ()):
        for name, qty in _effective_requests(container).items():
            total[name] = total.get(name, 0) + qty
    for container in spec.get("initContainers", ()):
        for name, qty in _effective_requests(container).items():
            total[name] = max(total.get(name, 0), qty)
    total["pods"] = 1000
    return total


def _effective_requests(container: Manifest) -> dict[str, int]:
    resources = container.get("resources") or {}
    merged = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
    return {name: milli(qty) for name, qty in merged.items()}


class Owners:
    """Which objects each owner controls: owner uid -> child (namespace, name)."""

    def __init__(self) -> None:
        self._children: dict[str, set[tuple[str, str]]] = {}
        self._owner: dict[tuple[str, str], str] = {}

    def track(self, obj: Manifest, deleted: bool = False) -> str | None:
        """Record (or, when ``deleted``, forget) ``obj``'s controlling owner;
        returns that owner's uid (the old one for a deleted object)."""
        key = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        before = self._owner.pop(key, None)
        if before is not None:
            self._children[before].discard(key)
        owner = None if deleted else controller_uid(obj)
        if owner is not None:
            self._owner[key] = owner
            self._children.setdefault(owner, set()).add(key)
        return owner if owner is not None else before

    def children(self, owner_uid: str) -> list[tuple[str, str]]:
        """The keys of the objects ``owner_uid`` controls, sorted."""
        return sorted(self._children.get(owner_uid, ()))

    def drop_owner(self, owner_uid: str) -> list[tuple[str, str]]:
        """Forget an owner, returning the keys of the objects it controlled."""
        keys = sorted(self._children.pop(owner_uid, ()))
        for key in keys:
            self._owner.pop(key, None)
        return keys
