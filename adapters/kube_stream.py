"""Blocking HTTP line streams (watches, followed logs) as async iterators.

The Kubernetes client reads a stream by blocking on its socket, so each stream
runs in a thread of its own — never in the event loop's shared executor, which a
handful of long watches would exhaust. The thread splits the body into lines and
converts each (parsing happens off the event loop). It hands the results over in
batches, through a ``Handoff``: whatever one read of the socket held goes over at
once, and the event loop is woken only when its consumer waits, so a fast stream
costs the loop one wake-up per batch, not one per line. The handoff is bounded: a
slow consumer makes the thread wait (and the server with it) rather than buffer
without limit.

A stream stops when the consumer stops iterating, or when ``StreamRegistry.stop_all``
is called (``close()`` of the adapter): the thread's socket is shut down, which
wakes a blocked read at once, and the thread ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")

#: Items a stream's thread may have waiting before it waits for its consumer
#: (one read more may be added to a full handoff).
HANDOFF_LIMIT = 4_096
#: How much one read of an unchunked body takes at most.
READ_SIZE = 65_536


class RawResponse(Protocol):
    """The part of ``urllib3.HTTPResponse`` a stream uses."""

    chunked: bool

    def stream(
        self, amt: int | None = ..., decode_content: bool | None = ...
    ) -> Iterator[bytes]: ...

    def read1(self, amt: int | None = ..., decode_content: bool | None = ...) -> bytes: ...

    def shutdown(self) -> None: ...

    def release_conn(self) -> None: ...

    def close(self) -> None: ...


def iter_chunks(response: RawResponse) -> Iterator[bytes]:
    """The body as it arrives: chunk by chunk, or whatever each read returns when
    the body is not chunked (``stream()`` would wait for a full buffer)."""
    if response.chunked:
        yield from response.stream(None, decode_content=True)
        return
    while chunk := response.read1(READ_SIZE, decode_content=True):
        yield chunk


def iter_line_batches(chunks: Iterator[bytes]) -> Iterator[list[bytes]]:
    """The newline-separated lines of a byte stream, without their ``\\n``: for
    each chunk that completes lines, a list of them. A last line without a newline
    comes too (alone); empty lines are kept."""
    pending: list[bytes] = []
    for chunk in chunks:
        if b"\n" not in chunk:
            pending.append(chunk)
            continue
        pending.append(chunk)
        *lines, rest = b"".join(pending).split(b"\n")
        pending = [rest] if rest else []
        yield lines
    if pending:
        yield [b"".join(pending)]


def iter_lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The lines of ``iter_line_batches(chunks)``, one by one."""
    return itertools.chain.from_iterable(iter_line_batches(chunks))


class Handoff(Generic[T]):
    """Items passed from one producing thread to one consumer on an event loop, in
    batches: the consumer takes everything that arrived since it last took.

    The producer calls ``put`` and, at the end, ``finish``; the consumer awaits
    ``take``; either side may ``close`` it (what waits is dropped).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int = HANDOFF_LIMIT) -> None:
        self._loop = loop
        self._limit = limit
        self._items: list[T] = []
        self._done = False
        self._error: BaseException | None = None
        self._closed = False
        self._ready = threading.Condition()
        self._waiter: asyncio.Future[None] | None = None

    def put(self, items: list[T]) -> bool:
        """Add ``items`` (from the producing thread), first waiting while ``limit``
        items wait. Returns False, adding nothing, once the handoff is closed."""
        with self._ready:
            while len(self._items) >= self._limit and not self._closed:
                self._ready.wait()
            if self._closed:
                return False
            self._items.extend(items)
            self._wake()
        return True

    def finish(self, error: BaseException | None = None) -> None:
        """End the items (from the producing thread): once what waits is taken,
        ``take`` raises ``error``, or returns [] when there is none."""
        with self._ready:
            if not self._done:
                self._done, self._error = True, error
                self._wake()

    def close(self) -> None:
        """Drop what waits, end the items cleanly and release a waiting ``put``."""
        with self._ready:
            self._closed = self._done = True
            self._items.clear()
            self._error = None
            self._ready.notify_all()
            self._wake()

    async def take(self) -> list[T]:
        """Every item waiting, oldest first, once at least one is; [] when the items
        ended. Raises the error the producer finished with, after its items. Lets
        the event loop run other work before taking, so that a producer as fast as
        its consumer never starves the loop."""
        await asyncio.sleep(0)
        while True:
            with self._ready:
                if self._items:
                    items, self._items = self._items, []
                    self._ready.notify()
                    return items
                if self._done:
                    if self._error is not None:
                        raise self._error
                    return []
                waiter = self._waiter = self._loop.create_future()
            await waiter

    def _wake(self) -> None:
        """Wake the consumer if it waits (called holding the lock)."""
        waiter, self._waiter = self._waiter, None
        if waiter is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                self._loop.call_soon_threadsafe(_resolve, waiter)


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():  # a cancelled consumer no longer waits
        waiter.set_result(None)


class _StreamThread(threading.Thread, Generic[T]):
    """Opens one response, converts its lines and hands the results over."""

    def __init__(
        self,
        open_response: Callable[[], RawResponse],
        convert: Callable[[bytes], T | None],
        wrap_error: Callable[[BaseException], BaseException],
        handoff: Handoff[T],
        name: str,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self._open = open_response
        self._convert = convert
        self._wrap = wrap_error
        self.handoff = handoff
        self._lock = threading.Lock()
        self._response: RawResponse | None = None
        self._stopped = False

    def run(self) -> None:
        response: RawResponse | None = None
        complete = False
        convert = self._convert
        try:
            response = self._open()
            with self._lock:
                self._response = response
                if self._stopped:
                    return
            for lines in iter_line_batches(iter_chunks(response)):
                items = [item for line in lines if (item := convert(line)) is not None]
                if items and not self.handoff.put(items):
                    return
            complete = True
            self.handoff.finish()
        except BaseException as exc:  # handed to the consumer, who re-raises it
            if not self._stopped:
                self.handoff.finish(self._wrap(exc))
        finally:
            # Only a fully read body leaves a connection fit for reuse.
            if response is not None:
                response.release_conn() if complete else response.close()

    def stop(self) -> None:
        """Ask the thread to end, waking it if it is blocked reading or handing
        over; what it had handed over and was not taken is dropped."""
        with self._lock:
            self._stopped = True
            response = self._response
        self.handoff.close()
        if response is not None:
            # Already closed, or released to the pool: nothing is blocked on it.
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                response.shutdown()


class StreamRegistry:
    """The streams one adapter has running, so ``close()`` can stop them all."""

    def __init__(self) -> None:
        self._threads: set[_StreamThread[Any]] = set()

    def __len__(self) -> int:
        return len(self._threads)

    async def stream(
        self,
        open_response: Callable[[], RawResponse],
        convert: Callable[[bytes], T | None],
        wrap_error: Callable[[BaseException], BaseException],
        *,
        name: str,
    ) -> AsyncIterator[T]:
        """Items converted from the lines of the response ``open_response()``
        returns (``convert`` may return None to skip a line), in order.

        ``open_response`` and ``convert`` run in the stream's thread; whatever they
        raise is passed through ``wrap_error`` and raised here, after the items
        before it. The iterator ends when the server ends the body.
        """
        handoff: Handoff[T] = Handoff(asyncio.get_running_loop())
        thread = _StreamThread(open_response, convert, wrap_error, handoff, name)
        self._threads.add(thread)
        thread.start()
        try:
            while batch := await handoff.take():
                for item in batch:
                    yield item
        finally:
            thread.stop()
            self._threads.discard(thread)

    async def stop_all(self, timeout: float = 2.0) -> None:
        """Stop every running stream, end its consumer's iteration (cleanly, with
        what was waiting dropped) and wait up to ``timeout`` for the threads."""
        threads, self._threads = list(self._threads), set()
        for thread in threads:
            thread.stop()
        await asyncio.to_thread(_join_all, threads, timeout)


def _join_all(threads: list[_StreamThread[Any]], timeout: float) -> None:
    for thread in threads:
        thread.join(timeout)
