"""The Kubernetes kube's reads against the sandbox's API face: connection, paged
lists, watches (events, 410 Gone, stopping), manifests, logs, and the watch-fed
``ResourceStore`` running over it (relist on Gone, backoff while the server is down)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Gone, InvalidRequest, Kind, LogOptions, NotFound, Unavailable
from adapters.kubernetes import KubernetesAdapter
from console.models import Node, Pod
from console.sandbox import kubeconfig as sandbox_kubeconfig
from console.sandbox.server import ThreadedSandbox
from console.state import ResourceStore
from tests.adapters.kube_support import (
    create,
    eventually,
    free_port,
    pod,
    pod_phase,
    unique,
    until,
)


def stream_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(("watch-", "logs-"))]


async def test_connect_reads_context_namespace_and_server_from_the_kubeconfig(
    kube: KubernetesAdapter, sandbox: Any
) -> None:
    assert kube.context == "sandbox"
    assert kube.default_namespace == "default"
    assert kube.server == sandbox.kube_url
    assert await kube.contexts() == ["sandbox"]


async def test_connecting_to_a_server_that_is_down_is_unavailable_naming_it(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    sandbox_kubeconfig.write(sandbox_kubeconfig.build(url), tmp_path / "kc")
    kube = KubernetesAdapter(kubeconfig=str(tmp_path / "kc"), request_timeout=2.0)
    with pytest.raises(Unavailable, match="Connection refused") as caught:
        await kube.connect()
    assert url in caught.value.detail
    await kube.close()


async def test_an_unknown_context_is_refused_with_the_known_ones(kube_config: str) -> None:
    kube = KubernetesAdapter(kubeconfig=kube_config, context="prod")
    with pytest.raises(
        Unavailable, match=r"context 'prod' is not in the kubeconfig \(contexts: sandbox\)"
    ):
        await kube.connect()


async def test_a_list_reads_every_page_and_parses_each_pod(
    kube: KubernetesAdapter, ns: str
) -> None:
    for i in range(5):
        await create(kube, Kind.POD, ns, pod(f"web-{i}"))
    pages = 0
    fetch = kube.transport.fetch_json

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal pages
        pages += 1
        return fetch(*args, **kwargs)

    kube.transport.fetch_json = counting  # type: ignore[method-assign]
    paged = await kube.list(Kind.POD, ns, page_size=2)
    assert pages == 3
    whole = await kube.list(Kind.POD, ns)
    assert [p.key for p in paged.items] == [f"{ns}/web-{i}" for i in range(5)]
    assert [p.key for p in whole.items] == [p.key for p in paged.items]
    assert all(
        isinstance(p, Pod) and p.containers[0].image == "registry.local/test/app:1"
        for p in paged.items
    )
    assert int(paged.resource_version) > 0


async def test_a_label_selector_narrows_the_list(kube: KubernetesAdapter, ns: str) -> None:
    await create(kube, Kind.POD, ns, pod("a", labels={"tier": "gpu"}))
    await create(kube, Kind.POD, ns, pod("b", labels={"tier": "cpu"}))
    result = await kube.list(Kind.POD, ns, label_selector="tier=gpu")
    assert [p.name for p in result.items] == ["a"]


async def test_nodes_are_listed_cluster_wide_with_capacity_and_gpus(
    kube: KubernetesAdapter,
) -> None:
    nodes = (await kube.list(Kind.NODE)).items
    assert nodes
    assert all(isinstance(n, Node) and n.cpu_millis > 0 and n.memory_bytes > 0 for n in nodes)
    assert any(n.gpu_resources for n in nodes)  # type: ignore[union-attr]


async def test_a_watch_delivers_a_change_made_after_the_list(
    kube: KubernetesAdapter, ns: str
) -> None:
    listed = await kube.list(Kind.POD, ns)
    events = kube.watch(Kind.POD, listed.resource_version, ns, timeout_seconds=30)
    await create(kube, Kind.POD, ns, pod("late"))
    first = await asyncio.wait_for(anext(events), 10)
    await events.aclose()  # type: ignore[attr-defined]
    assert first.type == "ADDED"
    assert isinstance(first.obj, Pod) and first.obj.key == f"{ns}/late"
    assert int(first.resource_version) > int(listed.resource_version)


async def test_a_watch_from_a_compacted_version_raises_gone(
    kube: KubernetesAdapter, ns: str, sandbox: Any
) -> None:
    listed = await kube.list(Kind.POD, ns)
    await create(kube, Kind.NAMESPACE, None, {"metadata": {"name": unique("bump")}})
    sandbox.call(lambda world: world.store.compact())
    with pytest.raises(Gone):
        async for _ in kube.watch(Kind.POD, listed.resource_version, ns):
            pass


async def test_a_watch_thread_ends_when_its_consumer_stops(
    kube: KubernetesAdapter, ns: str
) -> None:
    before = stream_threads()
    listed = await kube.list(Kind.POD, ns)
    events = kube.watch(Kind.POD, listed.resource_version, ns)
    await create(kube, Kind.POD, ns, pod("one"))
    await asyncio.wait_for(anext(events), 10)
    assert len(stream_threads()) == len(before) + 1
    await events.aclose()  # type: ignore[attr-defined]
    await until(lambda: stream_threads() == before, timeout=3)


async def test_closing_the_adapter_ends_open_watches_and_their_threads(
    kube_config: str, ns: str
) -> None:
    kube = KubernetesAdapter(kubeconfig=kube_config)
    await kube.connect()
    listed = await kube.list(Kind.POD, ns)

    async def consume() -> int:
        return len([ev async for ev in kube.watch(Kind.POD, listed.resource_version, ns)])

    consumer = asyncio.create_task(consume())
    await until(lambda: len(stream_threads()) > 0, timeout=3)
    await kube.close()
    assert await asyncio.wait_for(consumer, 3) == 0
    assert stream_threads() == []


async def test_a_manifest_comes_without_managed_fields(kube: KubernetesAdapter, ns: str) -> None:
    await create(kube, Kind.POD, ns, pod("m"))
    manifest = await kube.get_manifest(Kind.POD, ns, "m")
    assert manifest["metadata"]["name"] == "m"
    assert "managedFields" not in manifest["metadata"]
    with pytest.raises(NotFound, match='pods "nope" not found'):
        await kube.get_manifest(Kind.POD, ns, "nope")


async def test_logs_of_a_running_pod_arrive_line_by_line_and_bounded(
    kube: KubernetesAdapter, ns: str
) -> None:
    await create(kube, Kind.POD, ns, pod("talker"))
    await eventually(lambda: pod_phase(kube, ns, "talker"), lambda phase: phase == "Running")

    async def lines(tail: int) -> list[str]:
        return [line async for line in kube.logs(ns, "talker", LogOptions(tail_lines=tail))]

    two = await eventually(lambda: lines(2), lambda got: len(got) == 2)
    assert all(isinstance(line, str) and line and "\n" not in line for line in two)


async def test_logs_of_unknown_pods_or_containers_are_not_found_and_previous_needs_a_restart(
    kube: KubernetesAdapter, ns: str
) -> None:
    with pytest.raises(NotFound):
        async for _ in kube.logs(ns, "ghost", LogOptions()):
            pass
    await create(kube, Kind.POD, ns, pod("fresh"))
    await eventually(lambda: pod_phase(kube, ns, "fresh"), lambda phase: phase == "Running")
    with pytest.raises(NotFound):
        async for _ in kube.logs(ns, "fresh", LogOptions(container="sidecar")):
            pass
    with pytest.raises(InvalidRequest):
        async for _ in kube.logs(ns, "fresh", LogOptions(previous=True)):
            pass


# ------------------------------------------------------------ the store over the kube


class ShortWatches(KubernetesAdapter):
    """The real kube, with watches the server ends after a second."""

    def watch(
        self, kind: Kind, resource_version: str, namespace: str | None = None, **_: Any
    ) -> Any:
        return super().watch(kind, resource_version, namespace, timeout_seconds=1)


async def test_the_store_follows_adds_and_deletes_through_the_watch(
    kube: KubernetesAdapter, ns: str
) -> None:
    store: ResourceStore[Any] = ResourceStore(kube, Kind.POD, ns)
    task = asyncio.create_task(store.run())
    try:
        await store.wait_synced(5)
        await create(kube, Kind.POD, ns, pod("seen"))
        await until(lambda: f"{ns}/seen" in store.items)
        await kube.delete_pod(ns, "seen")
        await until(lambda: f"{ns}/seen" not in store.items)
        assert store.status == "synced"
    finally:
        task.cancel()


async def test_the_store_relists_after_gone_and_keeps_going(
    kube_config: str, ns: str, sandbox: Any
) -> None:
    kube = ShortWatches(kubeconfig=kube_config)
    await kube.connect()
    store: ResourceStore[Any] = ResourceStore(kube, Kind.POD, ns)
    task = asyncio.create_task(store.run())
    try:
        await store.wait_synced(5)
        await create(kube, Kind.NAMESPACE, None, {"metadata": {"name": unique("bump")}})
        sandbox.call(lambda world: world.store.compact())
        await until(lambda: store.relists >= 2)
        await create(kube, Kind.POD, ns, pod("after"))
        await until(lambda: f"{ns}/after" in store.items)
        assert store.status == "synced"
    finally:
        task.cancel()
        await kube.close()


async def test_the_store_retries_while_the_server_is_down_and_recovers_when_it_is_back(
    tmp_path: Path,
) -> None:
    port = free_port()
    config = str(tmp_path / "kc")
    with ThreadedSandbox(seed=7, speed=4.0, kube_port=port) as first:
        first.write_kubeconfig(config)
        kube = KubernetesAdapter(kubeconfig=config, request_timeout=2.0)
        await kube.connect()
        store: ResourceStore[Any] = ResourceStore(kube, Kind.NODE, backoff_max=0.5)
        task = asyncio.create_task(store.run())
        await store.wait_synced(5)
    try:
        await until(lambda: store.status == "retrying", timeout=10)
        assert isinstance(store.error, Unavailable)
        relists = store.relists
        with ThreadedSandbox(seed=7, speed=4.0, kube_port=port):
            await until(lambda: store.status == "synced" and store.relists > relists)
            assert store.items
    finally:
        task.cancel()
        await kube.close()


async def test_followed_logs_stream_until_the_consumer_stops(
    kube: KubernetesAdapter, ns: str
) -> None:
    before = stream_threads()
    await create(kube, Kind.POD, ns, pod("chatty"))
    await eventually(lambda: pod_phase(kube, ns, "chatty"), lambda phase: phase == "Running")
    lines = kube.logs(ns, "chatty", LogOptions(follow=True, tail_lines=5, timestamps=True))
    first = await asyncio.wait_for(anext(lines), 10)
    assert first[:4].isdigit() and "T" in first.split(" ", 1)[0]
    await lines.aclose()  # type: ignore[attr-defined]
    await until(lambda: stream_threads() == before, timeout=3)


async def test_in_cluster_credentials_outside_a_cluster_are_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    kube = KubernetesAdapter.in_cluster()
    assert kube.context == "in-cluster"
    assert await kube.contexts() == ["in-cluster"]
    with pytest.raises(Unavailable) as caught:
        await kube.connect()
    assert caught.value.title == "Not running in a cluster"
