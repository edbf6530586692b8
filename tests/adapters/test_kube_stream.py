"""Line streams handed from their reading thread to the event loop in batches."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterator

import pytest

from adapters.kube_stream import Handoff, StreamRegistry, iter_line_batches

#: A chunk source's marker for "the server ended the body".
END = b""


class ChunkedResponse:
    """A chunked body whose chunks a test feeds through ``chunks`` as the server
    would write them; ``END`` ends the body, ``shutdown()`` breaks the read."""

    chunked = True

    def __init__(self, *chunks: bytes) -> None:
        self.chunks: queue.Queue[bytes | BaseException] = queue.Queue()
        for chunk in chunks:
            self.chunks.put(chunk)
        self.released = self.closed = False

    def stream(self, amt: int | None = None, decode_content: bool | None = None) -> Iterator[bytes]:
        while (chunk := self.chunks.get()) != END:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk

    def read1(self, amt: int | None = None, decode_content: bool | None = None) -> bytes:
        raise AssertionError("a chunked body is read with stream()")

    def shutdown(self) -> None:
        self.chunks.put(ConnectionResetError("shut down"))

    def release_conn(self) -> None:
        self.released = True

    def close(self) -> None:
        self.closed = True


class Wrapped(Exception):
    """What ``wrap`` turns a stream's error into."""


def wrap(exc: BaseException) -> BaseException:
    return Wrapped(str(exc))


def number(line: bytes) -> int | None:
    """Lines are numbers; "skip" lines are left out."""
    return None if line == b"skip" else int(line)


def live_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "test-stream"]


async def no_threads_left() -> None:
    while live_threads():
        await asyncio.sleep(0.01)


def test_each_chunk_that_completes_lines_becomes_one_batch() -> None:
    chunks = [b"1\n2", b"2\n3", b"3", b"3\n\n", b"tail"]
    assert list(iter_line_batches(iter(chunks))) == [[b"1"], [b"22"], [b"333", b""], [b"tail"]]


async def test_a_stream_delivers_every_line_in_order_across_batches_and_ends_cleanly() -> None:
    numbers = list(range(10_000))
    body = b"".join(f"{n}\n".encode() for n in numbers)
    chunks = [body[i : i + 777] for i in range(0, len(body), 777)]
    response = ChunkedResponse(*chunks, b"skip\n", END)
    registry = StreamRegistry()
    got = [n async for n in registry.stream(lambda: response, number, wrap, name="test-stream")]
    assert got == numbers
    await asyncio.wait_for(no_threads_left(), 5)
    assert response.released and not response.closed and len(registry) == 0


async def test_an_error_mid_stream_comes_after_the_lines_before_it() -> None:
    response = ChunkedResponse(b"1\n2\n", b"x\n", END)
    seen: list[int] = []
    with pytest.raises(Wrapped, match="invalid literal"):
        async for n in StreamRegistry().stream(lambda: response, number, wrap, name="test-stream"):
            seen.append(n)
    assert seen == [1, 2] and response.closed


async def test_a_consumer_that_stops_early_stops_the_thread() -> None:
    response = ChunkedResponse(b"1\n2\n")
    lines = StreamRegistry().stream(lambda: response, number, wrap, name="test-stream")
    assert await asyncio.wait_for(anext(lines), 5) == 1
    await lines.aclose()  # type: ignore[attr-defined]
    await asyncio.wait_for(no_threads_left(), 5)
    assert response.closed


async def test_stopping_all_streams_ends_a_consumer_cleanly_while_its_thread_reads() -> None:
    response = ChunkedResponse(*(f"{n}\n".encode() for n in range(100)))
    registry = StreamRegistry()
    lines = registry.stream(lambda: response, number, wrap, name="test-stream")
    assert await asyncio.wait_for(anext(lines), 5) == 0
    await registry.stop_all()
    rest = [n async for n in lines]
    assert rest == [] or rest == list(range(1, 1 + len(rest)))
    assert live_threads() == [] and len(registry) == 0


async def test_a_full_handoff_holds_the_producer_until_the_consumer_takes() -> None:
    handoff: Handoff[int] = Handoff(asyncio.get_running_loop(), limit=2)
    second_put = threading.Event()

    def produce() -> None:
        handoff.put([1, 2])
        handoff.put([3])
        second_put.set()
        handoff.finish()

    producer = threading.Thread(target=produce)
    producer.start()
    assert await handoff.take() == [1, 2]
    await asyncio.to_thread(second_put.wait, 5)
    assert await handoff.take() == [3]
    assert await handoff.take() == []
    producer.join(5)


async def test_closing_a_handoff_releases_a_waiting_producer_and_drops_what_waits() -> None:
    handoff: Handoff[int] = Handoff(asyncio.get_running_loop(), limit=1)
    assert handoff.put([1])  # now full: the next put waits
    results: list[bool] = []
    producer = threading.Thread(target=lambda: results.append(handoff.put([2])))
    producer.start()
    handoff.close()
    await asyncio.to_thread(producer.join, 5)
    assert results == [False]
    assert await handoff.take() == []
