"""Simulated time for the sandbox: a clock that runs ``speed`` times faster than
real time and can be stepped, and a queue of callbacks due at simulated times."""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache


def iso(t: float) -> str:
    """``t`` (unix seconds) as the API's RFC 3339 timestamp, e.g. ``2024-09-14T10:31:05Z``."""
    return _iso_second(int(t // 1))


@lru_cache(maxsize=8192)
def _iso_second(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    """Unix seconds of an RFC 3339 timestamp as the API writes it. Raises ``ValueError``."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class SimClock:
    """Unix time that starts at the real time of construction, advances ``speed``
    times as fast as real time, and jumps forward when stepped. While ``pinned``
    it stands still (the world pins it while replaying a step's timers)."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed}")
        self.speed = speed
        self._origin = time.time()
        self._mono = time.monotonic()
        self._offset = 0.0
        self._pinned: float | None = None

    def now(self) -> float:
        """The simulated unix time."""
        if self._pinned is not None:
            return self._pinned
        return self._origin + self._offset + self.speed * (time.monotonic() - self._mono)

    def pin(self, t: float) -> None:
        """Stop the clock at ``t`` (earlier than now to replay history)."""
        self._pinned = t

    def release(self) -> None:
        """Let the clock run again: from the pinned time if that is ahead of the
        running time (a step moved it forward), else from where it would be."""
        if self._pinned is None:
            return
        pinned, self._pinned = self._pinned, None
        self._offset += max(0.0, pinned - self.now())

    def real_seconds_until(self, t: float) -> float:
        """Real seconds until simulated time ``t`` (0 when it has passed)."""
        return max(0.0, (t - self.now()) / self.speed)


Callback = Callable[[], None]


class Timers:
    """Callbacks due at simulated times, fired in time order (ties in the order
    they were added, so a run is deterministic)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callback]] = []
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def at(self, due: float, callback: Callback) -> None:
        """Call ``callback()`` once simulated time reaches ``due``."""
        heapq.heappush(self._heap, (due, next(self._seq), callback))

    def next_due(self) -> float | None:
        """When the earliest callback is due, or None when none is queued."""
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> list[Callback]:
        """Remove and return every callback due at or before ``now``, in order."""
        due: list[Callback] = []
        while self._heap and self._heap[0][0] <= now:
            due.append(heapq.heappop(self._heap)[2])
        return due
