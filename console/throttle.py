"""When to repaint a view fed by a fast stream.

The first change after a quiet spell is shown at once (so the first line of a
build reaches the screen without delay); changes arriving faster than
``interval`` are gathered and shown together at the end of the interval, so a
flood of output repaints at most ``1 / interval`` times a second.
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

__all__ = ["Throttle"]


class Throttle:
    """Decides the delay before the next repaint; the caller schedules it."""

    def __init__(self, interval: float = 0.1, *, clock: Callable[[], float] = monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._last = float("-inf")
        self._pending = False

    def request(self) -> float | None:
        """Ask for a repaint. Returns the seconds to wait before doing it (0 for
        now), or None when one is already scheduled (this change will be in it)."""
        if self._pending:
            return None
        self._pending = True
        return max(0.0, self._last + self.interval - self._clock())

    def done(self) -> None:
        """Record that the scheduled repaint happened."""
        self._pending = False
        self._last = self._clock()
