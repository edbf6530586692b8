"""Blocking Docker streams as async iterators, and the log stream demultiplexer.

The docker SDK reads its streams (build output, push progress, logs, stats) with
blocking calls. ``iterate_in_thread`` runs such a reader in a worker thread that
fills a bounded buffer; the async side takes everything buffered at once and
yields it item by item, so a fast stream costs one wake-up of the event loop per
chunk rather than per item. When the consumer stops early, the reader's ``close``
callback shuts the HTTP connection down, which unblocks the thread, and the
thread ends.

``LogDemuxer`` splits Docker's multiplexed log stream (8-byte frame headers) into
``(stream, line)`` pairs.
"""

from __future__ import annotations

import asyncio
import itertools
import struct
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Generic, Literal, TypeVar

T = TypeVar("T")

#: How often a thread blocked on a full buffer checks whether the consumer left.
_POLL = 0.25
_names = itertools.count(1)

#: How the source ended: normally, or with the exception it raised.
_End = tuple[Literal["end"], None] | tuple[Literal["error"], BaseException]


class _Pump(Generic[T]):
    """A buffer between the reading thread and the event loop.

    The thread appends items (``run``) and wakes the loop only when the buffer
    was empty; the loop takes all of them at once (``take``). Items taken count
    against ``maxsize`` until the consumer comes back for more, so at most
    ``maxsize`` items are ever read ahead of the consumer.
    """

    def __init__(
        self,
        source: Callable[[], Iterable[T]],
        close: Callable[[], None] | None,
        loop: asyncio.AbstractEventLoop,
        maxsize: int,
    ) -> None:
        self._source = source
        self._close = close
        self._loop = loop
        self._maxsize = maxsize
        self._lock = threading.Condition()
        self._items: list[T] = []
        #: Items read and not yet handed back by the consumer (buffered or taken).
        self._outstanding = 0
        self._taken = 0
        self._end: _End | None = None
        self._ready = asyncio.Event()
        self._stop = threading.Event()

    # ------------------------------------------------------------ thread side

    def run(self) -> None:
        try:
            for item in self._source():
                if not self._offer(item):
                    return
        except BaseException as exc:  # handed to the consumer, who re-raises it
            self._finish(("error", exc))
            return
        self._finish(("end", None))

    def _offer(self, item: T) -> bool:
        """Buffer ``item``, waiting while ``maxsize`` are outstanding; False if the
        consumer left (or its loop closed) meanwhile."""
        with self._lock:
            while self._outstanding >= self._maxsize and not self._stop.is_set():
                self._lock.wait(_POLL)
            if self._stop.is_set():
                return False
            self._items.append(item)
            self._outstanding += 1
            first = len(self._items) == 1
        return self._wake() if first else True

    def _finish(self, end: _End) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            self._end = end
        self._wake()

    def _wake(self) -> bool:
        try:
            self._loop.call_soon_threadsafe(self._ready.set)
        except RuntimeError:  # the loop closed: nobody is listening any more
            return False
        return True

    # ------------------------------------------------------------ loop side

    async def take(self) -> tuple[list[T], _End | None]:
        """Every item buffered and, once the source is done, how it ended;
        waits while there is neither. Hands back the items of the previous call."""
        while True:
            with self._lock:
                self._outstanding -= self._taken
                items, self._items = self._items, []
                self._taken = len(items)
                end = self._end
                self._ready.clear()
                self._lock.notify()
            if items or end is not None:
                return items, end
            await self._ready.wait()

    def stop(self) -> None:
        """Tell the thread to end and unblock it (called on the event loop)."""
        if self._stop.is_set():
            return
        self._stop.set()
        with self._lock:
            self._lock.notify()
        if self._close is not None:
            self._close()


async def iterate_in_thread(
    source: Callable[[], Iterable[T]],
    *,
    close: Callable[[], None] | None = None,
    maxsize: int = 256,
    name: str = "docker-stream",
) -> AsyncIterator[T]:
    """Yield the items of ``source()``, which is called and iterated in a thread.

    At most ``maxsize`` items are read ahead of the consumer; a slow consumer
    slows the reader. An exception raised by ``source`` is re-raised here after
    the items before it. When the consumer stops iterating (``aclose``, ``break``
    followed by garbage collection, cancellation), ``close()`` is called on the
    event loop to unblock the reader, whose thread then ends without delivering
    anything more.
    """
    pump = _Pump(source, close, asyncio.get_running_loop(), maxsize)
    thread = threading.Thread(target=pump.run, name=f"{name}-{next(_names)}", daemon=True)
    thread.start()
    try:
        while True:
            items, end = await pump.take()
            for item in items:
                yield item
            if end is not None:
                kind, error = end
                if kind == "error":
                    assert error is not None
                    raise error
                return
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
