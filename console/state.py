"""Watch-fed stores: the console's live picture of the cluster.

One ``ResourceStore`` per kind lists every object once, then follows a watch from
the list's ``resourceVersion``: bookmarks advance the version, a server-closed
stream is re-watched from the last version seen, ``410 Gone`` relists, and any
other failure backs off (jittered, capped) and tries again while the store reports
its error. Nothing here polls full lists.

Subscribers receive ``ChangeSet``s coalesced over a short window, so a burst of
watch events becomes one update of the screen.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from adapters.base import AdapterError, ClusterAdapter, Gone, Kind
from console.models import KubeObject

log = logging.getLogger(__name__)

T = TypeVar("T", bound=KubeObject)

StoreStatus = Literal["connecting", "synced", "retrying", "stopped"]


@dataclass(slots=True)
class ChangeSet(Generic[T]):
    """What changed since the last notification. ``reset`` means the store relisted:
    ``upserted`` then holds every object and anything not in it is gone."""

    upserted: dict[str, T] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    reset: bool = False

    def __bool__(self) -> bool:
        return bool(self.upserted or self.deleted or self.reset)


Listener = Callable[["ResourceStore[T]", ChangeSet[T]], None]


class ResourceStore(Generic[T]):
    """Every object of one kind (optionally one namespace), kept current."""

    #: A watch the server ends sooner than this is followed by a pause this long.
    MIN_WATCH_SECONDS = 1.0

    def __init__(
        self,
        adapter: ClusterAdapter,
        kind: Kind,
        namespace: str | None = None,
        *,
        coalesce: float = 0.05,
        backoff_max: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        self.adapter = adapter
        self.kind = kind
        self.namespace = namespace
        self.items: dict[str, T] = {}
        self.status: StoreStatus = "connecting"
        self.error: AdapterError | None = None
        self.resource_version = ""
        self.relists = 0
        self._coalesce = coalesce
        self._backoff_max = backoff_max
        self._rng = rng or random.Random()
        self._listeners: list[Listener[T]] = []
        self._pending: ChangeSet[T] = ChangeSet()
        self._flush_handle: asyncio.TimerHandle | None = None
        self._synced = asyncio.Event()

    # ------------------------------------------------------------ subscribing

    def subscribe(self, listener: Listener[T]) -> Callable[[], None]:
        """Call ``listener(store, changes)`` on every coalesced change; returns an
        unsubscribe function. A new subscriber should read ``items`` first."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def wait_synced(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._synced.wait(), timeout)

    # ------------------------------------------------------------ running

    async def run(self) -> None:
        """List then watch until cancelled. Never raises except ``CancelledError``."""
        attempt = 0
        need_list = True
        try:
            while True:
                try:
                    if need_list:
                        await self._relist()
                        need_list = False
                    attempt = 0
                    began = asyncio.get_running_loop().time()
                    await self._watch_once()
                    if asyncio.get_running_loop().time() - began < self.MIN_WATCH_SECONDS:
                        # A server that ends every watch at once must not make us spin.
                        await asyncio.sleep(self.MIN_WATCH_SECONDS)
                except Gone:
                    need_list = True
                except AdapterError as exc:
                    attempt += 1
                    self._set_error(exc)
                    await asyncio.sleep(self._backoff(attempt))
                    need_list = True
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # a bug or an unexpected SDK error: keep going
                    log.exception("store %s failed", self.kind)
                    attempt += 1
                    self._set_error(AdapterError(str(exc), title="Unexpected error"))
                    await asyncio.sleep(self._backoff(attempt))
                    need_list = True
        finally:
            self.status = "stopped"
            if self._flush_handle:
                self._flush_handle.cancel()

    def _backoff(self, attempt: int) -> float:
        base: float = min(self._backoff_max, 0.5 * 2.0 ** min(attempt - 1, 10))
        return base * (0.5 + self._rng.random() / 2)

    def _set_error(self, exc: AdapterError) -> None:
        self.status = "retrying"
        self.error = exc
        self._schedule_flush()

    async def _relist(self) -> None:
        result = await self.adapter.list(self.kind, self.namespace)
        fresh: dict[str, T] = {obj.key: obj for obj in result.items}  # type: ignore[misc]
        self.items = fresh
        self.resource_version = result.resource_version
        self.status = "synced"
        self.error = None
        self.relists += 1
        self._pending = ChangeSet(upserted=dict(fresh), reset=True)
        self._synced.set()
        self._flush_now()

    async def _watch_once(self) -> None:
        async for ev in self.adapter.watch(self.kind, self.resource_version, self.namespace):
            self.resource_version = ev.resource_version or self.resource_version
            if ev.type == "BOOKMARK" or ev.obj is None:
                continue
            obj: T = ev.obj  # type: ignore[assignment]
            key = obj.key
            if ev.type == "DELETED":
                self.items.pop(key, None)
                self._pending.upserted.pop(key, None)
                self._pending.deleted.add(key)
            else:
                self.items[key] = obj
                self._pending.deleted.discard(key)
                self._pending.upserted[key] = obj
            if self.status != "synced":
                self.status, self.error = "synced", None
            self._schedule_flush()

    # ------------------------------------------------------------ notifying

    def _schedule_flush(self) -> None:
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            self._flush_handle = loop.call_later(self._coalesce, self._flush_now)

    def _flush_now(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        changes, self._pending = self._pending, ChangeSet()
        for listener in list(self._listeners):
            try:
                listener(self, changes)
            except Exception:
                log.exception("listener of %s failed", self.kind)


class ClusterState:
    """The stores the console keeps for one cluster connection."""

    def __init__(self, adapter: ClusterAdapter, namespace: str | None = None) -> None:
        self.adapter = adapter
        self.namespace = namespace
        self.stores: dict[Kind, ResourceStore[KubeObject]] = {}

    def store(self, kind: Kind) -> ResourceStore[KubeObject]:
        """The store for ``kind``, created (not started) on first use."""
        if kind not in self.stores:
            ns = self.namespace if kind.namespaced else None
            self.stores[kind] = ResourceStore(self.adapter, kind, ns)
        return self.stores[kind]
