"""What a selector sees of one stored series at each evaluation step, with
Prometheus's rules: an instant selector takes the newest sample no older than the
lookback (none once the series went stale); a range selector takes the samples in
the left-open window ``(t - range, t]``. Steps are walked in ascending order, so
each series is searched once from where the previous step left off."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from console.sandbox.promql.steps import StepValues


def latest(
    times: Sequence[float], values: Sequence[float], stale_at: float | None,
    refs: Sequence[float], lookback: float,
) -> StepValues:
    """The value an instant selector reads at each of the ascending times ``refs``
    from a series with samples ``times``/``values``: the newest sample at or before
    the time and after ``time - lookback``, None when there is none or when the
    series' staleness marker ``stale_at`` lies after that sample and at or before
    the time."""
    out: StepValues = []
    found = 0
    for ref in refs:
        found = bisect.bisect_right(times, ref, found)
        i = found - 1
        if i < 0 or times[i] <= ref - lookback or (
                stale_at is not None and times[i] < stale_at <= ref):
            out.append(None)
        else:
            out.append(values[i])
    return out


@dataclass(frozen=True)
class Windows:
    """Where the window ``(end - length, end]`` of each step falls among one series'
    ascending sample ``times``: samples ``lows[i]`` to ``highs[i] - 1`` for the
    step whose window ends at ``ends[i]``. Series sampled at the same times share
    their windows."""

    times: Sequence[float]
    ends: Sequence[float]
    length: float
    lows: list[int]
    highs: list[int]

    @cached_property
    def edges(self) -> list[Edges | None]:
        """At each step, how Prometheus's ``extrapolatedRate`` extends the window's
        samples to its edges (None below two samples)."""
        times = self.times
        out: list[Edges | None] = []
        for lo, hi, range_end in zip(self.lows, self.highs, self.ends, strict=True):
            if hi - lo < 2:
                out.append(None)
                continue
            range_start = range_end - self.length
            first_t, last_t = times[lo], times[hi - 1]
            to_start = first_t - range_start
            to_end = range_end - last_t
            sampled = last_t - first_t
            average_gap = sampled / (hi - lo - 1)
            threshold = average_gap * 1.1
            if to_start >= threshold:
                to_start = average_gap / 2
            if to_end >= threshold:
                to_end = average_gap / 2
            out.append(Edges(sampled, to_start, to_end, range_end - range_start))
        return out


@dataclass(frozen=True, slots=True)
class Edges:
    """The extrapolation of one window: the time its samples span, how far they are
    extended before the first and after the last, and the window's width."""

    sampled: float
    to_start: float
    to_end: float
    width: float

    def factor(self, to_start: float, *, per_second: bool) -> float:
        """What the samples' increase is multiplied by, extended by ``to_start``
        (``self.to_start`` or less) before the first sample; divided by the width
        for a per-second rate."""
        factor = (self.sampled + to_start + self.to_end) / self.sampled
        if per_second:
            factor /= self.width
        return factor


def windows(times: Sequence[float], ends: Sequence[float], length: float) -> Windows:
    """The ``Windows`` of length ``length`` ending at each of the ascending ``ends``
    among the ascending sample ``times``."""
    lows: list[int] = []
    highs: list[int] = []
    lo = hi = 0
    for end in ends:
        lo = bisect.bisect_right(times, end - length, lo)
        hi = bisect.bisect_right(times, end, hi)
        lows.append(lo)
        highs.append(hi)
    return Windows(times, ends, length, lows, highs)
