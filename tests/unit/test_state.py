"""ResourceStore: list then watch, coalesced notifications, deletes, relists and backoff.

The cluster here is an in-memory ``ClusterAdapter`` whose watch streams are fed by
the test, so every interleaving is deterministic; the same store runs against the
sandbox's real API face in tests/adapters/test_kubernetes_adapter.py.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from adapters.base import Gone, Kind, ListResult, Unavailable, WatchEvent
from console.models import KubeObject, Namespace
from console.state import ChangeSet, ClusterState, ResourceStore

_END = object()


class FakeCluster:
    """Namespaces served by ``list``, and watch streams the test feeds event by event."""

    def __init__(self, names: list[str]) -> None:
        self.objects = {name: Namespace(name=name) for name in names}
        self.version = 10
        self.lists = 0
        self.watches: list[str] = []
        self.list_error: Exception | None = None
        self.streams: asyncio.Queue[asyncio.Queue[Any]] = asyncio.Queue()

    async def list(self, kind: Kind, namespace: str | None = None, **_: Any) -> ListResult:
        self.lists += 1
        if self.list_error is not None:
            raise self.list_error
        return ListResult(list(self.objects.values()), str(self.version))

    async def watch(
        self, kind: Kind, resource_version: str, namespace: str | None = None, **_: Any
    ) -> AsyncIterator[WatchEvent]:
        self.watches.append(resource_version)
        feed: asyncio.Queue[Any] = asyncio.Queue()
        await self.streams.put(feed)
        while (item := await feed.get()) is not _END:
            if isinstance(item, Exception):
                raise item
            yield item

    async def next_stream(self) -> asyncio.Queue[Any]:
        """The feed of the next watch the store opens."""
        return await asyncio.wait_for(self.streams.get(), 2)

    def event(self, type_: str, name: str) -> WatchEvent:
        self.version += 1
        obj = Namespace(name=name, resource_version=str(self.version))
        if type_ == "DELETED":
            self.objects.pop(name, None)
        else:
            self.objects[name] = obj
        return WatchEvent(type_, obj, str(self.version))  # type: ignore[arg-type]


class Recorder:
    """A listener keeping every ChangeSet it is given."""

    def __init__(self) -> None:
        self.changes: list[ChangeSet[KubeObject]] = []
        self.arrived = asyncio.Event()

    def __call__(self, store: ResourceStore[KubeObject], changes: ChangeSet[KubeObject]) -> None:
        self.changes.append(changes)
        self.arrived.set()

    async def next(self) -> ChangeSet[KubeObject]:
        await asyncio.wait_for(self.arrived.wait(), 2)
        self.arrived.clear()
        return self.changes[-1]


@contextmanager
def running(store: ResourceStore[Any]) -> Iterator[asyncio.Task[None]]:
    task = asyncio.get_running_loop().create_task(store.run())
    try:
        yield task
    finally:
        task.cancel()


async def until_synced(store: ResourceStore[Any]) -> None:
    async with asyncio.timeout(2):
        while store.status != "synced":
            await asyncio.sleep(0.01)


def make_store(cluster: FakeCluster, **kwargs: Any) -> tuple[ResourceStore[Any], Recorder]:
    store: ResourceStore[Any] = ResourceStore(
        cluster,  # type: ignore[arg-type]
        Kind.NAMESPACE,
        coalesce=kwargs.pop("coalesce", 0.05),
        rng=random.Random(1),
        **kwargs,
    )
    recorder = Recorder()
    store.subscribe(recorder)
    return store, recorder


async def test_the_store_lists_first_and_announces_every_object_as_a_reset() -> None:
    cluster = FakeCluster(["a", "b"])
    store, recorder = make_store(cluster)
    with running(store):
        first = await recorder.next()
        await store.wait_synced(1)
        assert first.reset
        assert set(first.upserted) == {"a", "b"}
        assert store.status == "synced"
        assert store.resource_version == "10"
        assert (await cluster.next_stream()) is not None
        assert cluster.watches == ["10"]


async def test_a_burst_of_watch_events_arrives_as_one_change_set() -> None:
    cluster = FakeCluster(["a"])
    store, recorder = make_store(cluster, coalesce=0.1)
    with running(store):
        await recorder.next()
        feed = await cluster.next_stream()
        for name in ("b", "c", "d"):
            feed.put_nowait(cluster.event("ADDED", name))
        feed.put_nowait(cluster.event("MODIFIED", "a"))
        burst = await recorder.next()
        assert not burst.reset
        assert set(burst.upserted) == {"a", "b", "c", "d"}
        assert len(recorder.changes) == 2
        assert set(store.items) == {"a", "b", "c", "d"}
        assert store.resource_version == str(cluster.version)


async def test_an_object_added_and_deleted_in_one_window_is_only_reported_deleted() -> None:
    cluster = FakeCluster(["a"])
    store, recorder = make_store(cluster)
    with running(store):
        await recorder.next()
        feed = await cluster.next_stream()
        feed.put_nowait(cluster.event("ADDED", "tmp"))
        feed.put_nowait(cluster.event("DELETED", "tmp"))
        feed.put_nowait(cluster.event("DELETED", "a"))
        changes = await recorder.next()
        assert changes.upserted == {}
        assert changes.deleted == {"tmp", "a"}
        assert store.items == {}


async def test_an_object_deleted_then_recreated_in_one_window_is_reported_upserted() -> None:
    cluster = FakeCluster(["a"])
    store, recorder = make_store(cluster)
    with running(store):
        await recorder.next()
        feed = await cluster.next_stream()
        feed.put_nowait(cluster.event("DELETED", "a"))
        feed.put_nowait(cluster.event("ADDED", "a"))
        changes = await recorder.next()
        assert set(changes.upserted) == {"a"}
        assert changes.deleted == set()


async def test_bookmarks_advance_the_version_and_a_closed_stream_is_rewatched_not_relisted() -> (
    None
):
    cluster = FakeCluster(["a"])
    store, recorder = make_store(cluster)
    with running(store):
        await recorder.next()
        feed = await cluster.next_stream()
        feed.put_nowait(WatchEvent("BOOKMARK", None, "42"))
        feed.put_nowait(_END)
        await cluster.next_stream()
        assert cluster.watches == ["10", "42"]
        assert cluster.lists == 1
        assert len(recorder.changes) == 1


async def test_gone_relists_and_the_reset_drops_objects_that_vanished() -> None:
    cluster = FakeCluster(["a", "b"])
    store, recorder = make_store(cluster)
    with running(store):
        await recorder.next()
        feed = await cluster.next_stream()
        del cluster.objects["b"]
        cluster.objects["c"] = Namespace(name="c")
        cluster.version = 99
        feed.put_nowait(Gone("too old resource version"))
        reset = await recorder.next()
        assert reset.reset
        assert set(reset.upserted) == {"a", "c"}
        assert set(store.items) == {"a", "c"}
        assert store.relists == 2
        assert store.status == "synced"
        await cluster.next_stream()
        assert cluster.watches == ["10", "99"]


async def test_a_failing_backend_makes_the_store_retry_with_backoff_and_recover() -> None:
    cluster = FakeCluster(["a"])
    cluster.list_error = Unavailable("cannot connect to http://127.0.0.1:1: Connection refused")
    store, recorder = make_store(cluster, backoff_max=0.05)
    with running(store):
        await recorder.next()
        assert store.status == "retrying"
        assert isinstance(store.error, Unavailable)
        while cluster.lists < 3:
            await asyncio.sleep(0.01)
        cluster.list_error = None
        await store.wait_synced(2)
        await until_synced(store)
        assert store.error is None
        assert set(store.items) == {"a"}


async def test_a_failing_watch_is_retried_from_a_fresh_list() -> None:
    cluster = FakeCluster(["a"])
    store, recorder = make_store(cluster, backoff_max=0.01)
    with running(store):
        await recorder.next()
        feed = await cluster.next_stream()
        feed.put_nowait(Unavailable("stream cut"))
        await cluster.next_stream()
        assert cluster.lists == 2


async def test_an_unexpected_exception_is_reported_and_retried_not_raised() -> None:
    cluster = FakeCluster(["a"])
    store, recorder = make_store(cluster, backoff_max=0.01)
    with running(store) as task:
        await recorder.next()
        feed = await cluster.next_stream()
        feed.put_nowait(RuntimeError("a bug"))
        await cluster.next_stream()
        assert not task.done()
        assert cluster.lists == 2


async def test_cancelling_the_store_stops_it() -> None:
    cluster = FakeCluster(["a"])
    store, recorder = make_store(cluster)
    with running(store) as task:
        await recorder.next()
        await cluster.next_stream()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.status == "stopped"


async def test_an_unsubscribed_listener_hears_nothing_more() -> None:
    cluster = FakeCluster(["a"])
    store, recorder = make_store(cluster)
    late = Recorder()
    unsubscribe = store.subscribe(late)
    with running(store):
        await late.next()
        unsubscribe()
        feed = await cluster.next_stream()
        feed.put_nowait(cluster.event("ADDED", "b"))
        await recorder.next()
        assert len(late.changes) == 1


async def test_a_failing_listener_does_not_stop_the_others() -> None:
    cluster = FakeCluster(["a"])
    store, _ = make_store(cluster)

    def broken(store: ResourceStore[Any], changes: ChangeSet[Any]) -> None:
        raise ValueError("listener bug")

    store.subscribe(broken)
    later = Recorder()
    store.subscribe(later)
    with running(store):
        await later.next()
        assert set(later.changes[0].upserted) == {"a"}


def test_cluster_state_scopes_namespaced_kinds_only_and_reuses_stores() -> None:
    state = ClusterState(FakeCluster([]), namespace="ml")  # type: ignore[arg-type]
    pods = state.store(Kind.POD)
    assert pods.namespace == "ml"
    assert state.store(Kind.NODE).namespace is None
    assert state.store(Kind.POD) is pods
