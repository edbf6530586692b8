"""Recent CPU and memory of each container, bounded, and drawn as sparklines.

The containers list keeps the newest ``samples`` stats samples of each running
container (a ``deque`` per container, so memory does not grow with time) and
draws them with the eight block characters, scaled to the window's own maximum.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from console.models import ContainerStats

__all__ = ["StatsHistory", "sparkline"]

_BLOCKS = "▁▂▃▄▅▆▇█"
#: Samples kept per container (about a minute at the daemon's pace).
SAMPLES = 60


def sparkline(values: Iterable[float], width: int, *, ceiling: float | None = None) -> str:
    """The newest ``width`` values as block characters, right-aligned in ``width``
    cells; scaled to ``ceiling`` (the values' maximum when None). "" for no values."""
    recent = list(values)[-width:] if width > 0 else []
    if not recent:
        return ""
    top = ceiling if ceiling else max(recent)
    if top <= 0:
        return (_BLOCKS[0] * len(recent)).rjust(width)
    last = len(_BLOCKS) - 1
    cells = (_BLOCKS[min(last, max(0, round(v / top * last)))] for v in recent)
    return "".join(cells).rjust(width)


class StatsHistory:
    """The newest samples of one container."""

    def __init__(self, samples: int = SAMPLES) -> None:
        self.cpu: deque[float] = deque(maxlen=samples)
        self.memory: deque[int] = deque(maxlen=samples)
        self.memory_limit = 0

    def add(self, stats: ContainerStats) -> None:
        """Keep one sample, dropping the oldest when full."""
        self.cpu.append(stats.cpu_percent)
        self.memory.append(stats.memory_bytes)
        self.memory_limit = stats.memory_limit

    @property
    def latest(self) -> tuple[float, int] | None:
        """The newest (CPU %, memory bytes), or None before the first sample."""
        return (self.cpu[-1], self.memory[-1]) if self.cpu else None
