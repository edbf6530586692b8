"""Container logs of the sandbox: what ``kubectl logs`` (and ``-f``, ``--previous``) read.

The kubelet tells the ``LogSource`` when a container instance starts and stops;
the lines in between are written lazily, on the first read after simulated time
has passed, from the image's log style (``console.sandbox.logtext``). An idle
world therefore costs nothing, and each instance keeps at most ``limit`` lines
(the oldest are dropped, as a rotated container log would be).
"""

from __future__ import annotations

import asyncio
import random
import zlib
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from console.sandbox.catalog import ImageProfile
from console.sandbox.logtext import PERIOD, Line, LogContext, banner, death, tick

ContainerKey = tuple[str, str, str]


@dataclass(slots=True)
class _Instance:
    ctx: LogContext
    start: float
    limit: int
    lines: deque[Line] = field(init=False)
    pending_banner: deque[Line] | None = None
    total: int = 0
    next_tick: int = 0
    end: float | None = None

    def __post_init__(self) -> None:
        self.lines = deque(maxlen=self.limit)

    def fill(self, until: float) -> None:
        """Write every line due up to ``until`` (or the instance's end)."""
        if self.end is not None:
            until = min(until, self.end)
        if self.pending_banner is None:
            self.pending_banner = deque(banner(self.ctx, self.start))
        while self.pending_banner and self.pending_banner[0][0] <= until:
            self._append(*self.pending_banner.popleft())
        period = PERIOD[self.ctx.profile.log_style]
        first = self.start + max(self.ctx.profile.startup_s, 0.0)
        due = int((until - first) // period)
        if due < self.next_tick:
            return
        self.next_tick = max(self.next_tick, due - self.limit)
        for k in range(self.next_tick, due + 1):
            t = first + k * period
            rng = random.Random(self.ctx.seed * 1_000_003 + k)
            for text in tick(self.ctx, t, rng):
                self._append(t, text)
        self.next_tick = due + 1

    def stop(self, at: float, cause: str) -> None:
        self.fill(at)
        for text in death(self.ctx, at, cause):
            self._append(at, text)
        self.end = at

    def _append(self, t: float, text: str) -> None:
        self.lines.append((t, text))
        self.total += 1


@dataclass(slots=True)
class _ContainerLog:
    current: _Instance | None = None
    previous: _Instance | None = None


class LogSource:
    """Log lines of every container the kubelet has run, by (namespace, pod, container)."""

    def __init__(
        self, now: Callable[[], float], *, seed: int = 7, limit: int = 5000, poll: float = 0.25
    ) -> None:
        self._now = now
        self._seed = seed
        self._limit = limit
        self._poll = poll
        self._logs: dict[ContainerKey, _ContainerLog] = {}

    # ------------------------------------------------------------ kubelet side

    def register(self, namespace: str, pod: str, containers: list[str]) -> None:
        """Make a pod's containers known (they have no lines until they start)."""
        for name in containers:
            self._logs.setdefault((namespace, pod, name), _ContainerLog())

    def start(
        self, namespace: str, pod: str, container: str, profile: ImageProfile, *,
        model: str, at: float,
    ) -> None:
        """A new instance of the container started at ``at``; the one before
        becomes the ``previous`` instance."""
        log = self._logs.setdefault((namespace, pod, container), _ContainerLog())
        if log.current is not None:
            log.previous = log.current
        seed = zlib.crc32(f"{self._seed}/{namespace}/{pod}/{container}/{at:.3f}".encode())
        ctx = LogContext(namespace, pod, container, profile, model, seed)
        log.current = _Instance(ctx, at, self._limit)

    def stop(self, namespace: str, pod: str, container: str, *, at: float, cause: str) -> None:
        """The current instance ended at ``at`` of ``cause`` (crashloop, oom, killed)."""
        log = self._logs.get((namespace, pod, container))
        if log is not None and log.current is not None and log.current.end is None:
            log.current.stop(at, cause)

    def forget(self, namespace: str, pod: str) -> None:
        """The pod is gone: drop its logs and end anyone following them."""
        for key in [k for k in self._logs if k[0] == namespace and k[1] == pod]:
            log = self._logs.pop(key)
            if log.current is not None and log.current.end is None:
                log.current.stop(self._now(), "killed")

    # ------------------------------------------------------------ reading

    def lines(
        self, namespace: str, pod: str, container: str, *, previous: bool = False
    ) -> list[tuple[float, str]]:
        """``(unix time, text)`` of the current (or previous) container instance,
        oldest first, at most ``limit``. Raises ``KeyError`` for an unknown pod or
        container, ``LookupError`` for ``previous`` when it never restarted."""
        log = self._logs[(namespace, pod, container)]
        inst = log.previous if previous else log.current
        if inst is None:
            if previous:
                raise LookupError(
                    f'previous terminated container "{container}" in pod "{pod}" not found'
                )
            return []
        inst.fill(self._now())
        return list(inst.lines)

    async def follow(
        self, namespace: str, pod: str, container: str
    ) -> AsyncIterator[tuple[float, str]]:
        """New lines of the container as they are written, from now on. Ends when
        the instance being followed ends or the pod is deleted. Raises ``KeyError``
        for an unknown pod or container; waits for a container not yet started."""
        key = (namespace, pod, container)
        log = self._logs[key]
        while log.current is None:
            await asyncio.sleep(self._poll)
            if self._logs.get(key) is not log:
                return
        inst = log.current
        inst.fill(self._now())
        seen = inst.total
        while True:
            inst.fill(self._now())
            fresh = min(inst.total - seen, len(inst.lines))
            seen = inst.total
            for line in list(inst.lines)[len(inst.lines) - fresh :] if fresh else ():
                yield line
            if inst.end is not None:
                return
            await asyncio.sleep(self._poll)
