"""A small in-memory ClusterAdapter for UI tests that need exact, frozen data.

It serves ``list`` from a dict and ``watch`` from a queue that tests push events
into, so a test controls precisely what the screen receives and when. Tests of the
live wiring use the real sandbox and KubernetesAdapter instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.base import AdapterError, Kind, ListResult, MutationResult, WatchEvent
from console.models import Deployment, Hpa, KubeObject, Namespace

#: The frozen "now" of UI tests; objects' ages are measured from it.
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def deployment(namespace: str, name: str, *, age: timedelta, **fields: Any) -> Deployment:
    """A healthy deployment (3/3, revision 1) unless ``fields`` say otherwise."""
    values: dict[str, Any] = {
        "replicas": 3,
        "ready": 3,
        "updated": 3,
        "available": 3,
        "revision": 1,
        "generation": 1,
        "observed_generation": 1,
        "images": (f"ghcr.io/acme/{name}:v1",),
        "progressing_reason": "NewReplicaSetAvailable",
        "available_condition": True,
    }
    values.update(fields)
    return Deployment(namespace=namespace, name=name, created=NOW - age, **values)


class FakeCluster:
    """A ClusterAdapter over fixed objects; ``push`` feeds the running watches."""

    def __init__(self, objects: Iterable[KubeObject], *, context: str = "fake") -> None:
        self.context = context
        self.default_namespace = ""
        self.objects: dict[Kind, dict[str, KubeObject]] = {kind: {} for kind in Kind}
        for obj in objects:
            self.objects[_kind_of(obj)][obj.key] = obj
        self.queues: dict[Kind, asyncio.Queue[WatchEvent | AdapterError]] = {}
        self.connect_errors: list[AdapterError] = []
        self.closed = False
        self.version = 1

    async def connect(self) -> None:
        if self.connect_errors:
            raise self.connect_errors.pop(0)

    async def close(self) -> None:
        self.closed = True

    async def contexts(self) -> list[str]:
        return [self.context]

    async def list(self, kind: Kind, namespace: str | None = None, **_: Any) -> ListResult:
        items = [o for o in self.objects[kind].values() if namespace in (None, o.namespace)]
        return ListResult(items, str(self.version))

    async def watch(
        self, kind: Kind, resource_version: str, namespace: str | None = None, **_: Any
    ) -> AsyncIterator[WatchEvent]:
        queue = self.queues.setdefault(kind, asyncio.Queue())
        while True:
            item = await queue.get()
            if isinstance(item, AdapterError):
                raise item
            yield item

    def break_watch(self, kind: Kind, error: AdapterError) -> None:
        """Make the running watch of ``kind`` fail with ``error`` (the next one works)."""
        self.queues.setdefault(kind, asyncio.Queue()).put_nowait(error)

    def push(self, kind: Kind, type_: str, obj: KubeObject) -> None:
        """Change ``obj`` as the API server would and tell the watchers of ``kind``."""
        self.version += 1
        if type_ == "DELETED":
            self.objects[kind].pop(obj.key, None)
        else:
            self.objects[kind][obj.key] = obj
        queue = self.queues.setdefault(kind, asyncio.Queue())
        queue.put_nowait(WatchEvent(type_, obj, str(self.version)))  # type: ignore[arg-type]

    async def get_manifest(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any]:
        raise NotImplementedError

    async def autoscalers(self, namespace: str) -> list[Hpa]:
        return [o for o in self.objects[Kind.HPA].values()
                if isinstance(o, Hpa) and o.namespace == namespace]

    def logs(self, namespace: str, pod: str, options: Any) -> AsyncIterator[str]:
        raise NotImplementedError

    async def scale(self, *args: Any, **kwargs: Any) -> MutationResult:
        raise NotImplementedError

    async def rollback(self, *args: Any, **kwargs: Any) -> MutationResult:
        raise NotImplementedError

    async def restart(self, *args: Any, **kwargs: Any) -> MutationResult:
        raise NotImplementedError

    async def delete_pod(self, *args: Any, **kwargs: Any) -> MutationResult:
        raise NotImplementedError

    async def cordon(self, *args: Any, **kwargs: Any) -> MutationResult:
        raise NotImplementedError


def _kind_of(obj: KubeObject) -> Kind:
    if isinstance(obj, Hpa):
        return Kind.HPA
    return Kind.NAMESPACE if isinstance(obj, Namespace) else Kind.DEPLOYMENT


def sample_world() -> list[KubeObject]:
    """Three namespaces and five deployments in every status the screen colours."""
    return [
        Namespace(name="inference"),
        Namespace(name="platform"),
        Namespace(name="training"),
        deployment("inference", "llama-70b", age=timedelta(days=3, hours=4)),
        deployment(
            "inference",
            "mistral-7b",
            age=timedelta(minutes=2, seconds=30),
            ready=1,
            updated=2,
            available=1,
            revision=4,
            images=("ghcr.io/acme/vllm:0.6.3", "envoy:1.30"),
        ),
        deployment("inference", "whisper", age=timedelta(hours=5), paused=True),
        deployment(
            "platform",
            "gateway",
            age=timedelta(days=40),
            ready=0,
            available=0,
            progressing_reason="ProgressDeadlineExceeded",
            revision=7,
        ),
        deployment(
            "training",
            "trainer",
            age=timedelta(seconds=45),
            replicas=1,
            ready=1,
            updated=1,
            available=1,
        ),
    ]
