"""Helpers of the Kubernetes adapter tests against the sandbox (their fixtures are
in tests/adapters/conftest.py): creating objects through the API as any client
would, unique names, and waiting for the sandbox's controllers."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from adapters.base import Kind
from adapters.kube_errors import Operation
from adapters.kube_paths import collection_path, object_path
from adapters.kubernetes import KubernetesAdapter
from console.models import ReplicaSet

T = TypeVar("T")
_names = itertools.count()


def unique(prefix: str) -> str:
    """A name no other test (or earlier run against the same sandbox) uses."""
    return f"{prefix}-{os.getpid()}-{next(_names)}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def create(
    kube: KubernetesAdapter, kind: Kind, namespace: str | None, obj: dict[str, Any]
) -> Any:
    """POST ``obj`` as a client would; returns the stored manifest."""
    body = {"apiVersion": kind.api_group_version, "kind": kind.kind_name, **obj}
    op = Operation("create", kind.value, namespace)
    return await asyncio.to_thread(
        kube.transport.fetch_json,
        "POST",
        collection_path(kind, namespace),
        op,
        body=body,
        timeout=5.0,
    )


async def patch(
    kube: KubernetesAdapter, kind: Kind, namespace: str | None, name: str, body: Any
) -> Any:
    """A strategic merge patch, as ``kubectl patch`` sends by default."""
    op = Operation("patch", kind.value, namespace, name)
    return await asyncio.to_thread(
        kube.transport.fetch_json,
        "PATCH",
        object_path(kind, namespace, name),
        op,
        body=body,
        content_type="application/strategic-merge-patch+json",
        timeout=5.0,
    )


def pod(
    name: str, *, labels: dict[str, str] | None = None, image: str = "registry.local/test/app:1"
) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": labels or {"app": name}},
        "spec": {"containers": [{"name": "app", "image": image}]},
    }


def deployment(name: str, image: str, *, replicas: int = 1) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "metadata": {"name": name, "labels": labels, "annotations": {"team": "tests"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "app", "image": image}]},
            },
        },
    }


async def eventually(
    probe: Callable[[], Awaitable[T]], check: Callable[[T], bool], timeout: float = 15.0
) -> T:
    """Poll ``probe()`` until ``check`` accepts its result; fail after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if check(value):
            return value
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"condition not reached in {timeout}s; last value: {value!r}")
        await asyncio.sleep(0.05)


async def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait until ``condition()`` holds; fail after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"condition not reached in {timeout}s")
        await asyncio.sleep(0.05)


async def pod_phase(kube: KubernetesAdapter, namespace: str, name: str) -> str:
    manifest = await kube.get_manifest(Kind.POD, namespace, name)
    return str((manifest.get("status") or {}).get("phase", ""))


async def revisions(kube: KubernetesAdapter, namespace: str, name: str) -> set[int]:
    """The revisions of the ReplicaSets the deployment ``name`` owns."""
    result = await kube.list(Kind.REPLICASET, namespace)
    return {
        rs.revision for rs in result.items if isinstance(rs, ReplicaSet) and rs.owner_name == name
    }


async def rolled_out_twice(kube: KubernetesAdapter, namespace: str, name: str) -> None:
    """Create ``name`` with image v1, then move it to v2, and wait for both revisions."""
    await create(kube, Kind.DEPLOYMENT, namespace, deployment(name, "registry.local/test/app:1"))
    await eventually(lambda: revisions(kube, namespace, name), lambda r: r == {1})
    template = {"spec": {"containers": [{"name": "app", "image": "registry.local/test/app:2"}]}}
    await patch(kube, Kind.DEPLOYMENT, namespace, name, {"spec": {"template": template}})
    await eventually(lambda: revisions(kube, namespace, name), lambda r: r == {1, 2})
