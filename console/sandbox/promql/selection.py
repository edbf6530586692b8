"""What a selector sees of one stored series at each evaluation step, with
Prometheus's rules: an instant selector takes the newest sample no older than the
lookback (none once the series went stale); a range selector takes the samples in
the left-open window ``(t - range, t]``. Steps are walked in ascending order, so
each series is searched once from where the previous step left off."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

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


def windows(
    times: Sequence[float], refs: Sequence[float], length: float
) -> tuple[list[int], list[int]]:
    """For each of the ascending window ends ``refs``, the index range ``[lo, hi)`` of
    the samples in ``(ref - length, ref]``, as the list of ``lo``s and of ``hi``s."""
    lows: list[int] = []
    highs: list[int] = []
    lo = hi = 0
    for ref in refs:
        lo = bisect.bisect_right(times, ref - length, lo)
        hi = bisect.bisect_right(times, ref, hi)
        lows.append(lo)
        highs.append(hi)
    return lows, highs
