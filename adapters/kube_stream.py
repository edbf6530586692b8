"""Blocking HTTP line streams (watches, followed logs) as async iterators.

The Kubernetes client reads a stream by blocking on its socket, so each stream
runs in a thread of its own — never in the event loop's shared executor, which a
handful of long watches would exhaust. The thread splits the body into lines,
converts each (parsing happens off the event loop) and hands the results to the
consumer through a bounded queue: a slow consumer makes the thread wait rather
than buffer without limit.

A stream stops when the consumer stops iterating, or when ``StreamRegistry.stop_all``
is called (``close()`` of the adapter): the thread's socket is shut down, which
wakes a blocked read at once, and the thread ends.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")

#: Items buffered between a stream's thread and its consumer.
QUEUE_SIZE = 256
#: How often a thread waiting on a full queue checks whether it was stopped.
_PUT_POLL = 0.1


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


@dataclass(frozen=True, slots=True)
class _Failure:
    error: BaseException


_END = object()


def iter_chunks(response: RawResponse) -> Iterator[bytes]:
    """The body as it arrives: chunk by chunk, or whatever each read returns when
    the body is not chunked (``stream()`` would wait for a full buffer)."""
    if response.chunked:
        yield from response.stream(None, decode_content=True)
        return
    while chunk := response.read1(65536, decode_content=True):
        yield chunk


def iter_lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The newline-separated lines of a byte stream, without their ``\\n``. A last
    line without a newline is yielded too; empty lines are kept."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        if b"\n" not in chunk:
            continue
        *lines, pending = pending.split(b"\n")
        yield from lines
    if pending:
        yield pending


class _StreamThread(threading.Thread, Generic[T]):
    """Opens one response, converts its lines and queues the results."""

    def __init__(
        self,
        open_response: Callable[[], RawResponse],
        convert: Callable[[bytes], T | None],
        wrap_error: Callable[[BaseException], BaseException],
        loop: asyncio.AbstractEventLoop,
        queue: asyncio.Queue[Any],
        name: str,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self._open = open_response
        self._convert = convert
        self._wrap = wrap_error
        self._loop = loop
        self.queue = queue
        self._lock = threading.Lock()
        self._response: RawResponse | None = None
        self._stopped = False

    def run(self) -> None:
        response: RawResponse | None = None
        complete = False
        try:
            response = self._open()
            with self._lock:
                self._response = response
                if self._stopped:
                    return
            for line in iter_lines(iter_chunks(response)):
                item = self._convert(line)
                if item is not None and not self._put(item):
                    return
            complete = True
            self._put(_END)
        except BaseException as exc:  # handed to the consumer, who re-raises it
            if not self._stopped:
                self._put(_Failure(self._wrap(exc)))
        finally:
            # Only a fully read body leaves a connection fit for reuse.
            if response is not None:
                response.release_conn() if complete else response.close()

    def _put(self, item: object) -> bool:
        """Queue ``item``, waiting while the queue is full; False once stopped."""
        try:
            future = asyncio.run_coroutine_threadsafe(self.queue.put(item), self._loop)
        except RuntimeError:  # the event loop is closed: nobody is listening
            return False
        while not self._stopped:
            try:
                future.result(_PUT_POLL)
                return True
            except concurrent.futures.TimeoutError:
                continue
            except concurrent.futures.CancelledError:
                return False
        future.cancel()
        return False

    def stop(self) -> None:
        """Ask the thread to end, waking it if it is blocked reading."""
        with self._lock:
            self._stopped = True
            response = self._response
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
        returns (``convert`` may return None to skip a line).

        ``open_response`` and ``convert`` run in the stream's thread; whatever they
        raise is passed through ``wrap_error`` and raised here. The iterator ends
        when the server ends the body.
        """
        queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)
        thread: _StreamThread[T] = _StreamThread(
            open_response, convert, wrap_error, asyncio.get_running_loop(), queue, name
        )
        self._threads.add(thread)
        thread.start()
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    return
                if isinstance(item, _Failure):
                    raise item.error
                yield item
        finally:
            thread.stop()
            self._threads.discard(thread)

    async def stop_all(self, timeout: float = 2.0) -> None:
        """Stop every running stream, end its consumer's iteration (cleanly, with
        what was queued dropped) and wait up to ``timeout`` for the threads."""
        threads, self._threads = list(self._threads), set()
        for thread in threads:
            thread.stop()
            while not thread.queue.empty():
                thread.queue.get_nowait()
            thread.queue.put_nowait(_END)
        await asyncio.to_thread(_join_all, threads, timeout)


def _join_all(threads: list[_StreamThread[Any]], timeout: float) -> None:
    for thread in threads:
        thread.join(timeout)
