"""Blocking readers as async iterators: order, errors, cancellation, back-pressure."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import aclosing

import pytest

from adapters.docker_streams import iterate_in_thread


def alive(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(name) and t.is_alive()]


async def eventually_no_thread(name: str) -> bool:
    for _ in range(100):
        if not alive(name):
            return True
        await asyncio.sleep(0.02)
    return False


async def test_items_arrive_in_order_and_the_reader_thread_ends() -> None:
    async with aclosing(iterate_in_thread(lambda: iter(range(5)), name="t-order")) as items:
        assert [i async for i in items] == [0, 1, 2, 3, 4]
    assert await eventually_no_thread("t-order")


async def test_an_error_raised_by_the_reader_reaches_the_consumer() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("stream broke")

    received = []
    with pytest.raises(ValueError, match="stream broke"):
        async with aclosing(iterate_in_thread(failing, name="t-error")) as items:
            async for item in items:
                received.append(item)
    assert received == [1]


async def test_stopping_early_closes_the_source_and_ends_a_blocked_reader() -> None:
    closed = threading.Event()

    def blocking() -> Iterator[str]:
        yield "first"
        closed.wait(10)  # a read that only returns when the connection is shut down
        if not closed.is_set():
            yield "never reached"

    async with aclosing(iterate_in_thread(blocking, close=closed.set, name="t-cancel")) as items:
        async for item in items:
            assert item == "first"
            break
    assert closed.is_set()
    assert await eventually_no_thread("t-cancel")


async def test_a_slow_consumer_holds_the_reader_back_at_the_queue_bound() -> None:
    produced = 0

    def counting() -> Iterator[int]:
        nonlocal produced
        for i in range(1000):
            produced += 1
            yield i

    async with aclosing(iterate_in_thread(counting, maxsize=4, name="t-bound")) as items:
        first = await anext(items)
        await asyncio.sleep(0.2)
        assert first == 0 and produced <= 4 + 2
    assert await eventually_no_thread("t-bound")
