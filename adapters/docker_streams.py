"""Blocking Docker streams as async iterators, and the log stream demultiplexer.

The docker SDK reads its streams (build output, push progress, logs, stats) with
blocking calls. ``iterate_in_thread`` runs such a reader in a worker thread that
feeds a bounded queue; the async side yields from the queue. When the consumer
stops early, the reader's ``close`` callback shuts the HTTP connection down, which
unblocks the thread, and the thread ends.

``LogDemuxer`` splits Docker's multiplexed log stream (8-byte frame headers) into
``(stream, line)`` pairs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import struct
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")

#: How often a thread blocked on a full queue checks whether the consumer left.
_POLL = 0.25
_names = itertools.count(1)


class _Pump(Generic[T]):
    """The thread side: reads ``source`` and offers each item to the queue."""

    def __init__(
        self,
        source: Callable[[], Iterable[T]],
        close: Callable[[], None] | None,
        loop: asyncio.AbstractEventLoop,
        maxsize: int,
    ) -> None:
        self.queue: asyncio.Queue[tuple[Literal["item", "error", "end"], Any]] = asyncio.Queue(
            maxsize
        )
        self._source = source
        self._close = close
        self._loop = loop
        self._stop = threading.Event()

    def run(self) -> None:
        try:
            for item in self._source():
                if self._stop.is_set() or not self._offer(("item", item)):
                    return
        except BaseException as exc:  # handed to the consumer, who re-raises it
            if not self._stop.is_set():
                self._offer(("error", exc))
            return
        self._offer(("end", None))

    def stop(self) -> None:
        """Tell the thread to end and unblock it (called on the event loop)."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._close is not None:
            self._close()

    def _offer(self, message: tuple[Literal["item", "error", "end"], Any]) -> bool:
        """Put ``message`` on the queue, waiting while it is full; False if the
        consumer left (or its loop closed) meanwhile."""
        try:
            future = asyncio.run_coroutine_threadsafe(self.queue.put(message), self._loop)
        except RuntimeError:
            return False
        while True:
            try:
                future.result(timeout=_POLL)
                return True
            except concurrent.futures.TimeoutError:
                if self._stop.is_set():
                    future.cancel()
                    return False
            except (concurrent.futures.CancelledError, RuntimeError):
                return False


async def iterate_in_thread(
    source: Callable[[], Iterable[T]],
    *,
    close: Callable[[], None] | None = None,
    maxsize: int = 256,
    name: str = "docker-stream",
) -> AsyncIterator[T]:
    """Yield the items of ``source()``, which is called and iterated in a thread.

    At most ``maxsize`` items wait in the queue; a slow consumer slows the reader.
    An exception raised by ``source`` is re-raised here. When the consumer stops
    iterating (``aclose``, ``break`` followed by garbage collection, cancellation),
    ``close()`` is called on the event loop to unblock the reader, whose thread
    then ends without delivering anything more.
    """
    pump = _Pump(source, close, asyncio.get_running_loop(), maxsize)
    thread = threading.Thread(target=pump.run, name=f"{name}-{next(_names)}", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = await pump.queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        pump.stop()


# ------------------------------------------------------------------- demultiplexing

_HEADER = struct.Struct(">BxxxL")
_STREAMS: dict[int, Literal["stdout", "stderr"]] = {
    0: "stdout",
    1: "stdout",
    2: "stderr",
    3: "stderr",
}


class LogDemuxer:
    """Splits Docker's log stream into ``(stream, line)`` pairs.

    A container without a TTY sends frames: an 8-byte header (stream type 0-3,
    three zero bytes, the payload's big-endian length) and the payload. Frames may
    arrive split across reads, and a line may span several frames, so both are
    buffered: ``feed`` returns only complete lines, per stream. A TTY container
    sends raw bytes, all reported as stdout. Lines are decoded as UTF-8 (invalid
    bytes replaced) without their trailing newline.
    """

    def __init__(self, *, tty: bool = False) -> None:
        self._tty = tty
        self._frames = bytearray()
        self._partial: dict[str, bytearray] = {"stdout": bytearray(), "stderr": bytearray()}

    def feed(self, data: bytes) -> list[tuple[str, str]]:
        """The complete lines found once ``data`` is added to what came before."""
        if self._tty:
            return self._lines("stdout", data)
        self._frames += data
        lines: list[tuple[str, str]] = []
        while len(self._frames) >= _HEADER.size:
            kind, size = _HEADER.unpack_from(self._frames)
            end = _HEADER.size + size
            if len(self._frames) < end:
                break
            payload = bytes(self._frames[_HEADER.size : end])
            del self._frames[:end]
            lines += self._lines(_STREAMS.get(kind, "stdout"), payload)
        return lines

    def flush(self) -> list[tuple[str, str]]:
        """The unterminated last line of each stream, once the stream has ended."""
        rest = [(s, buf.decode("utf-8", "replace")) for s, buf in self._partial.items() if buf]
        for buf in self._partial.values():
            buf.clear()
        return rest

    def _lines(self, stream: str, payload: bytes) -> list[tuple[str, str]]:
        buf = self._partial[stream]
        buf += payload
        *complete, rest = bytes(buf).split(b"\n")
        buf[:] = rest
        return [(stream, line.removesuffix(b"\r").decode("utf-8", "replace")) for line in complete]
