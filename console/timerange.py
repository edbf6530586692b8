"""Time ranges of the metrics charts: parsing what the operator types, and the
query window a chart of a given width asks for.

A window's end is aligned to its step, so that two refreshes within one step ask
for exactly the same points and the chart has nothing to redraw.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from adapters.prometheus_parse import PROMETHEUS_MAX_POINTS, choose_step

#: The ranges ``t`` cycles through, in seconds.
PRESETS: tuple[float, ...] = (15 * 60, 3600, 6 * 3600, 24 * 3600)
#: The shortest and longest range a chart shows.
MIN_RANGE = 60.0
MAX_RANGE = 7 * 86400.0

_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)([wdhms])")


class RangeError(ValueError):
    """Text that is not a usable time range; ``str()`` says what is wrong and what
    would be accepted."""


def parse_range(text: str) -> float:
    """The seconds of a range written like ``15m``, ``2h``, ``1h30m`` or ``1d``.

    Raises ``RangeError`` naming the problem: empty text, an unknown unit, a
    number without a unit, a unit repeated or out of order, or a range shorter
    than 1m or longer than 7d.
    """
    raw = text.strip().lower()
    if not raw:
        raise RangeError("enter a range such as 30m, 2h or 1d")
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        raise RangeError(f"“{text.strip()}” has no unit: write {raw}m, {raw}h or {raw}d")
    position, total, seen = 0, 0.0, ""
    for match in _PART.finditer(raw):
        if match.start() != position:
            break
        unit = match[2]
        if unit in seen or (seen and "wdhms".index(unit) < "wdhms".index(seen[-1])):
            raise RangeError(f"“{text.strip()}”: units must go from largest to smallest, once each")
        seen += unit
        total += int(match[1]) * _UNIT_SECONDS[unit]
        position = match.end()
    if position != len(raw):
        bad = raw[position:]
        raise RangeError(
            f"“{text.strip()}” is not a range: cannot read “{bad}”; "
            "use a whole number and a unit (s, m, h, d, w), e.g. 30m, 2h, 1h30m"
        )
    if total < MIN_RANGE:
        raise RangeError(f"“{text.strip()}” is too short: the shortest range is 1m")
    if total > MAX_RANGE:
        raise RangeError(f"“{text.strip()}” is too long: the longest range is 7d")
    return total


def format_range(seconds: float) -> str:
    """``seconds`` as the shortest exact range text (``5400`` -> ``"1h30m"``)."""
    left, parts = int(seconds), []
    for unit, size in _UNIT_SECONDS.items():
        if unit == "w" and left % size:
            continue
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def next_preset(seconds: float) -> float:
    """The preset after ``seconds`` (the first after the last, or after a custom range
    the first preset longer than it)."""
    for preset in PRESETS:
        if preset > seconds:
            return preset
    return PRESETS[0]


@dataclass(frozen=True, slots=True)
class Window:
    """The span a range query asks for: ``start`` to ``end`` (unix seconds) every
    ``step`` seconds."""

    start: float
    end: float
    step: float

    @property
    def points(self) -> int:
        """How many points a series of this window has at most."""
        return int((self.end - self.start) // self.step) + 1


def max_points(chart_width: int) -> int:
    """The points a chart ``chart_width`` cells wide asks for: two per cell (braille
    dots), at most Prometheus's 11,000, at least 2."""
    return max(2, min(PROMETHEUS_MAX_POINTS, 2 * chart_width))


def window(range_seconds: float, now: float, chart_width: int) -> Window:
    """The window of the last ``range_seconds`` before ``now`` for a chart
    ``chart_width`` cells wide, its end aligned down to the step the adapter will
    choose (so it asks for the same points until a new step begins)."""
    points = max_points(chart_width)
    step = choose_step(now - range_seconds, now, points)
    end = math.floor(now / step) * step
    return Window(end - range_seconds, end, step)
