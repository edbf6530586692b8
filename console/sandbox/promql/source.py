"""What the engine reads: stored series, from any ``SeriesSource``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from console.sandbox.promql.syntax import Matcher
from console.sandbox.promql.values import Labels


@dataclass(frozen=True, slots=True)
class StoredSeries:
    """One stored series: ascending sample times and their values. ``stale_at``
    is the time of a staleness marker (the series vanished) or None."""

    labels: Labels
    times: Sequence[float]
    values: Sequence[float]
    stale_at: float | None = None


class SeriesSource(Protocol):
    """Where the engine reads series from."""

    def select(
        self, matchers: Sequence[Matcher], start: float, end: float, *,
        newest_at: Sequence[float] | None = None,
    ) -> list[StoredSeries]:
        """Every series matching all ``matchers``, with its samples in [start, end].
        With ``newest_at`` (ascending times) a source may return, of those samples,
        only the newest at or before each of those times: all that an instant
        selector reads."""
