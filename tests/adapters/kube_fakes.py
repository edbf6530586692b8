"""A hand-filled world for testing the Kubernetes face without its controllers.

``FakeWorld`` has what the face uses of ``console.sandbox.world.World`` — a store,
a clock, ``kick()`` and a log source — and nothing moves unless a test moves it,
so assertions see exactly what the face did.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from console.sandbox.store import ObjectStore

Manifest = dict[str, Any]
NOW = 1_750_003_200.0  # 2025-06-15T16:00:00Z, an hour after the store clock
Key = tuple[str, str, str]


class FakeLogs:
    """Log lines set by the test; ``follow`` yields what ``push`` sends later."""

    def __init__(self) -> None:
        self.current: dict[Key, list[tuple[float, str]]] = {}
        self.previous: dict[Key, list[tuple[float, str]]] = {}
        self.queues: dict[Key, asyncio.Queue[tuple[float, str] | None]] = {}

    def lines(self, ns: str, pod: str, container: str, *,
              previous: bool = False) -> list[tuple[float, str]]:
        key = (ns, pod, container)
        if key not in self.current:
            raise KeyError(key)
        if previous:
            if key not in self.previous:
                raise LookupError(f"{pod}/{container} has not restarted")
            return list(self.previous[key])
        return list(self.current[key])

    def queue(self, ns: str, pod: str, container: str) -> asyncio.Queue[tuple[float, str] | None]:
        return self.queues.setdefault((ns, pod, container), asyncio.Queue())

    async def follow(self, ns: str, pod: str, container: str) -> AsyncIterator[tuple[float, str]]:
        queue = self.queue(ns, pod, container)
        while (item := await queue.get()) is not None:
            yield item


class FakeWorld:
    """The face's view of a world: store, frozen clock, kick counter, logs."""

    def __init__(self, store: ObjectStore | None = None) -> None:
        self.store = store or ObjectStore(clock=lambda: "2025-06-15T15:00:00Z")
        self.logs = FakeLogs()
        self.kicks = 0
        self.clock = NOW

    def now(self) -> float:
        return self.clock

    def kick(self) -> None:
        self.kicks += 1


def namespace(name: str) -> Manifest:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name},
            "status": {"phase": "Active"}}


def pod(name: str, ns: str = "serving", *, labels: dict[str, str] | None = None,
        node: str | None = "gpu-node-1", phase: str = "Running",
        containers: tuple[str, ...] = ("main",), restarts: int = 0) -> Manifest:
    spec: Manifest = {"containers": [{"name": c, "image": f"registry.local/{c}:1.0"}
                                     for c in containers]}
    if node:
        spec["nodeName"] = node
    statuses = [{"name": c, "ready": phase == "Running", "restartCount": restarts,
                 "image": f"registry.local/{c}:1.0",
                 "state": {"running": {"startedAt": "2025-06-15T14:00:00Z"}}
                 if phase == "Running" else {"waiting": {"reason": "ContainerCreating"}}}
                for c in containers]
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
            "spec": spec, "status": {"phase": phase, "containerStatuses": statuses}}


def deployment(name: str, ns: str = "serving", *, replicas: int = 2,
               image: str = "registry.local/server:1.0") -> Manifest:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels},
                         "spec": {"containers": [
                             {"name": "server", "image": image,
                              "env": [{"name": "MODE", "value": "serve"}]}]}},
        },
        "status": {"replicas": replicas, "readyReplicas": replicas,
                   "updatedReplicas": replicas, "availableReplicas": replicas},
    }


def seeded_world() -> FakeWorld:
    """Namespaces serving and training, a deployment, and five pods."""
    world = FakeWorld()
    for ns in ("serving", "training"):
        world.store.create("namespaces", namespace(ns))
    world.store.create("deployments", deployment("llm"))
    for i in range(3):
        world.store.create("pods", pod(f"llm-{i}", labels={"app": "llm", "track": "stable"}))
    world.store.create("pods", pod("canary-0", labels={"app": "llm", "track": "canary"},
                                   node="gpu-node-2"))
    world.store.create("pods", pod("trainer-0", "training", labels={"job": "finetune"},
                                   phase="Pending", node=None))
    return world
