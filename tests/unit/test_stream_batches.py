"""Reading a stream in batches: order, what is ready goes together, bound, errors, stopping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from console.stream_batches import batches


class Gate:
    """A source that yields ``ready`` items at once, then the rest only once opened."""

    def __init__(self, ready: list[int], later: list[int]) -> None:
        self.ready, self.later = ready, later
        self.opened = asyncio.Event()
        self.closed = False

    async def items(self) -> AsyncIterator[int]:
        try:
            for item in self.ready:
                yield item
            await self.opened.wait()
            for item in self.later:
                yield item
        finally:
            self.closed = True


async def ready_now(count: int) -> AsyncIterator[int]:
    for item in range(count):
        yield item


async def test_batches_keep_the_stream_s_order_and_each_holds_at_most_the_bound() -> None:
    async with aclosing(batches(ready_now(2_500), max_items=1_000)) as stream:
        got = [batch async for batch in stream]
    assert [item for batch in got for item in batch] == list(range(2_500))
    assert all(0 < len(batch) <= 1_000 for batch in got)


async def test_everything_ready_arrives_in_one_batch_without_waiting_for_more() -> None:
    gate = Gate(ready=[1, 2, 3], later=[4, 5])
    async with aclosing(batches(gate.items())) as stream:
        assert await anext(stream) == [1, 2, 3]
        gate.opened.set()
        assert [item async for batch in stream for item in batch] == [4, 5]


async def test_the_reader_waits_while_a_full_batch_waits_for_the_consumer() -> None:
    read: list[int] = []

    async def counted() -> AsyncIterator[int]:
        for item in range(100):
            read.append(item)
            yield item

    async with aclosing(batches(counted(), max_items=10)) as stream:
        first = await anext(stream)
        await asyncio.sleep(0.05)
        assert first == list(range(10))
        assert len(read) <= 20  # the batch taken and the next one, no more


async def test_an_error_is_raised_after_the_items_that_came_before_it() -> None:
    async def failing() -> AsyncIterator[int]:
        yield 1
        yield 2
        raise ConnectionError("daemon went away")

    received: list[int] = []
    with pytest.raises(ConnectionError, match="daemon went away"):
        async with aclosing(batches(failing())) as stream:
            async for batch in stream:
                received += batch
    assert received == [1, 2]


async def test_stopping_early_closes_the_source() -> None:
    gate = Gate(ready=[1], later=[2])
    async with aclosing(batches(gate.items())) as stream:
        assert await anext(stream) == [1]
    assert gate.closed


async def test_cancelling_the_consumer_closes_the_source() -> None:
    gate = Gate(ready=[1], later=[2])

    async def consume() -> None:
        async with aclosing(batches(gate.items())) as stream:
            async for _ in stream:
                pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert gate.closed
