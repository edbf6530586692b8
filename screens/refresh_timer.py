"""A screen's periodic refresh that pauses while the screen is hidden.

``RefreshTimer`` arms one timer at a time: after a refresh finished the screen
calls ``schedule``; when the timer fires on a hidden screen (or the screen is
suspended while one is armed) the refresh is skipped and runs again as soon as
the screen is shown (``resume``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen
from textual.timer import Timer

__all__ = ["RefreshTimer"]


class RefreshTimer:
    """Calls ``refresh`` every so often while ``screen`` is the current screen."""

    def __init__(self, screen: Screen[Any], refresh: Callable[[], None], *, name: str) -> None:
        self._screen = screen
        self._refresh = refresh
        self._name = name
        self._timer: Timer | None = None
        self._paused = False

    def cancel(self) -> None:
        """Stop the armed timer, if any (the screen is about to refresh now)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def schedule(self, seconds: float) -> None:
        """Arm the next refresh in ``seconds``, unless the screen is hidden (then
        it refreshes when shown again)."""
        if not self._screen.is_current:
            self._paused = True
            return
        self._timer = self._screen.set_timer(seconds, self._tick, name=self._name)

    def settle(self, seconds: float, callback: Callable[[], None]) -> None:
        """Replace the armed timer by one calling ``callback`` in ``seconds`` (a
        change that waits for the keys to stop before querying)."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._screen.set_timer(seconds, callback)

    def suspend(self) -> None:
        """The screen was hidden: stop the armed timer and refresh on ``resume``."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
            self._paused = True

    def resume(self) -> None:
        """The screen is shown again: refresh now if a refresh was skipped."""
        if self._paused:
            self._paused = False
            self._refresh()

    def _tick(self) -> None:
        self._timer = None
        if self._screen.is_current:
            self._refresh()
        else:
            self._paused = True
