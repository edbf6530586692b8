"""Helpers for the sandbox world tests: a bare world, nodes and workloads to put in it."""

from __future__ import annotations

from typing import Any

from console.sandbox.builders import GPU_TAINT, container, deployment, node, pod_spec
from console.sandbox.store import Manifest, ObjectStore
from console.sandbox.world import World

GENERIC = "registry.example/app:1.0"


def bare_world(seed: int = 7) -> World:
    """A world with no objects (``populate`` not called)."""
    return World(ObjectStore(), seed=seed)


def add_node(world: World, name: str, *, cpu: int = 32, memory_gi: int = 128,
             extended: dict[str, int] | None = None, gpu_taint: bool = False,
             labels: dict[str, str] | None = None) -> Manifest:
    """Create a Ready node."""
    index = len(world.store.list("nodes")) + 1
    return world.store.create("nodes", node(
        name, index, world.now(), cpu=cpu, memory_gi=memory_gi, role="worker",
        extended=extended, taints=[GPU_TAINT] if gpu_taint else None, labels=labels,
    ))


def add_deployment(world: World, name: str, *, replicas: int = 4, image: str = GENERIC,
                   limits: dict[str, str] | None = None, gpu: bool = False,
                   ns: str = "default", **spec: Any) -> Manifest:
    """Create a Deployment of one container; ``spec`` overrides Deployment spec fields."""
    ps = pod_spec([container(name, image, requests={"cpu": "100m", "memory": "128Mi"},
                             limits=limits)], gpu=gpu)
    manifest = deployment(ns, name, ps, replicas=replicas, created=world.now())
    manifest["spec"].update(spec)
    return world.store.create("deployments", manifest)


def patch_deployment(world: World, name: str, ns: str = "default", **changes: Any) -> None:
    """Replace fields of a Deployment (``image=`` sets the first container's image)."""
    d = world.store.get("deployments", ns, name)
    assert d is not None
    spec = {**d["spec"]}
    if "image" in changes:
        template = spec["template"]
        ctr = {**template["spec"]["containers"][0], "image": changes.pop("image")}
        spec["template"] = {**template, "spec": {**template["spec"], "containers": [ctr]}}
    meta = d["metadata"]
    if "change_cause" in changes:
        meta = {**meta, "annotations": {**meta.get("annotations", {}),
                                        "kubernetes.io/change-cause": changes.pop("change_cause")}}
    spec.update(changes)
    world.store.update("deployments", {**d, "metadata": meta, "spec": spec})


def owned_replicasets(world: World, name: str, ns: str = "default") -> list[Manifest]:
    """The Deployment's ReplicaSets, oldest revision first."""
    rses = [rs for rs in world.store.list("replicasets", ns)
            if rs["metadata"]["ownerReferences"][0]["name"] == name]
    return sorted(rses, key=lambda rs: int(rs["metadata"]["annotations"][
        "deployment.kubernetes.io/revision"]))


def pods_of(world: World, prefix: str, ns: str = "default") -> list[Manifest]:
    """Pods whose name starts with ``prefix``."""
    return [p for p in world.store.list("pods", ns) if p["metadata"]["name"].startswith(prefix)]


def revision_of(rs: Manifest) -> int:
    return int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"])
