"""Read a fast async stream in batches: everything it has ready, up to a bound.

A consumer that takes a stream item by item pays for each item separately: one
repaint request, and (when it yields to keep the UI answering) one pass of the
event loop. ``batches`` reads the stream in a task of its own and hands the
consumer lists instead. Each list holds every item that arrived since the
consumer took the previous one, in the stream's order, and at most ``max_items``
of them: the reading task waits while that many are waiting, so a consumer that
falls behind slows the stream down rather than letting the backlog grow.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Generic, TypeVar

__all__ = ["batches"]

T = TypeVar("T")

#: Items handed over at once by default.
MAX_ITEMS = 1_000


class _Reader(Generic[T]):
    """The reading side: iterates the source, parking items for the consumer."""

    def __init__(self, source: AsyncIterator[T], max_items: int) -> None:
        self.items: list[T] = []
        self.ended = False
        self.error: Exception | None = None
        #: Set when there is something for the consumer (items, or the end).
        self.ready = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._source = source
        self._max_items = max_items

    async def run(self) -> None:
        try:
            async for item in self._source:
                self.items.append(item)
                self.ready.set()
                if len(self.items) >= self._max_items:
                    self._room.clear()
                    await self._room.wait()
        except Exception as exc:  # raised to the consumer after the items before it
            self.error = exc
        finally:
            self.ended = True
            self.ready.set()
            if isinstance(self._source, AsyncGenerator):
                await self._source.aclose()

    def take(self) -> list[T]:
        """The items waiting (possibly none), which leaves room for more."""
        items, self.items = self.items, []
        self.ready.clear()
        self._room.set()
        return items


async def batches(
    source: AsyncIterator[T], *, max_items: int = MAX_ITEMS
) -> AsyncGenerator[list[T], None]:
    """Yield the items of ``source`` as non-empty lists, in the order it gave them.

    Each list holds the items ``source`` produced since the previous list was
    taken, at most ``max_items``. An exception raised by ``source`` is raised here
    once the items before it have been yielded. When the consumer stops early
    (``aclose``, cancellation), the reading task is cancelled and ``source`` (if it
    is an async generator) is closed before this generator finishes closing.
    """
    reader = _Reader(source, max_items)
    task = asyncio.create_task(reader.run(), name="stream-batches")
    try:
        while True:
            if not reader.items and not reader.ended:
                await reader.ready.wait()
            items = reader.take()
            if items:
                yield items
            elif reader.ended:
                if reader.error is not None:
                    raise reader.error
                return
    finally:
        task.cancel()
        await asyncio.wait([task])
