"""PromQL functions: those over range vectors, ``histogram_quantile`` and the
element-wise math functions, with Prometheus's exact arithmetic.

Functions over range vectors take one series' samples and where its window at
each step falls among them (``console.sandbox.promql.selection.Windows``) and
give its value at each step; ``histogram_quantile`` takes columns
(``console.sandbox.promql.steps``)."""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence

from console.sandbox.promql.selection import Windows
from console.sandbox.promql.steps import Column, Columns, StepValues
from console.sandbox.promql.values import Labels, drop_labels, drop_name, get_label


def over_range(name: str, windows: Windows, values: Sequence[float],
               qs: Sequence[float] | None = None) -> StepValues:
    """``name`` (a rate or a ``*_over_time`` function) at each step of one series
    with samples ``windows.times``/``values``, over the samples in the step's
    window. None where the window has too few samples (none, or fewer than two for
    a rate). ``qs`` is ``quantile_over_time``'s q per step."""
    lows, highs = windows.lows, windows.highs
    if name in ("rate", "increase", "delta"):
        return _extrapolated_rates(windows, values, counter=name != "delta",
                                   per_second=name == "rate")
    if name in ("irate", "idelta"):
        return [_instant_rate(windows.times, values, hi, counter=name == "irate")
                if hi - lo >= 2 else None for lo, hi in zip(lows, highs, strict=True)]
    if name == "quantile_over_time":
        assert qs is not None
        return [quantile(q, values[lo:hi]) if hi > lo else None
                for lo, hi, q in zip(lows, highs, qs, strict=True)]
    f = OVER_TIME[name]
    return [f(values[lo:hi]) if hi > lo else None for lo, hi in zip(lows, highs, strict=True)]


def _resets(values: Sequence[float]) -> list[int]:
    """The indices at which a counter fell below its previous sample (a reset)."""
    fell = map(operator.lt, values[1:], values[:-1])
    return list(itertools.compress(range(1, len(values)), fell))


def _extrapolated_rates(windows: Windows, values: Sequence[float], *, counter: bool,
                        per_second: bool) -> StepValues:
    """``rate``/``increase`` (counter) or ``delta`` at each step, over the samples
    in its window, extrapolated to the window's edges exactly as Prometheus's
    ``extrapolatedRate`` does (a counter no further back than its zero); None
    below two samples."""
    resets = _resets(values) if counter else []
    out: StepValues = []
    for lo, hi, edges in zip(windows.lows, windows.highs, windows.edges, strict=True):
        if edges is None:
            out.append(None)
            continue
        first_v = values[lo]
        result = values[hi - 1] - first_v
        if resets:
            for i in resets[bisect.bisect_right(resets, lo):bisect.bisect_left(resets, hi)]:
                result += values[i - 1]
        to_start = edges.to_start
        if counter and result > 0 and first_v >= 0:
            to_zero = edges.sampled * (first_v / result)
            if to_zero < to_start:
                to_start = to_zero
        out.append(result * edges.factor(to_start, per_second=per_second))
    return out


def _instant_rate(times: Sequence[float], values: Sequence[float], hi: int, *,
                  counter: bool) -> float:
    """``irate`` (counter) or ``idelta`` from samples ``hi - 2`` and ``hi - 1``."""
    prev_t, prev_v = times[hi - 2], values[hi - 2]
    last_t, last_v = times[hi - 1], values[hi - 1]
    if not counter:
        return last_v - prev_v
    increase = last_v if last_v < prev_v else last_v - prev_v
    return increase / (last_t - prev_t)


def quantile(q: float, values: Sequence[float]) -> float:
    """The ``q`` quantile of ``values`` as Prometheus computes ``quantile`` and
    ``quantile_over_time``: linear interpolation between closest ranks."""
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    lower = max(0, math.floor(rank))
    upper = min(len(ordered) - 1, lower + 1)
    weight = rank - math.floor(rank)
    return ordered[lower] * (1 - weight) + ordered[upper] * weight


def _stdvar(values: Sequence[float]) -> float:
    return statistics.pvariance(values)


OVER_TIME: dict[str, Callable[[Sequence[float]], float]] = {
    "avg_over_time": statistics.fmean,
    "min_over_time": min,
    "max_over_time": max,
    "sum_over_time": math.fsum,
    "count_over_time": lambda vs: float(len(vs)),
    "last_over_time": lambda vs: vs[-1],
    "stddev_over_time": lambda vs: math.sqrt(_stdvar(vs)),
    "stdvar_over_time": _stdvar,
}


def bucket_quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """The ``q`` quantile of a classic histogram given as (upper bound, cumulative
    count) pairs, as Prometheus's ``bucketQuantile`` computes it: NaN without a
    ``+Inf`` bucket or observations, linear interpolation inside the bucket."""
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    merged: dict[float, float] = defaultdict(float)
    for bound, count in buckets:
        merged[bound] += count
    ordered = sorted(merged.items())
    if not ordered or not math.isinf(ordered[-1][0]):
        return math.nan
    monotonic: list[tuple[float, float]] = []
    high = -math.inf
    for bound, count in ordered:
        high = max(high, count)
        monotonic.append((bound, high))
    if len(monotonic) < 2:
        return math.nan
    observations = monotonic[-1][1]
    if observations == 0:
        return math.nan
    rank = q * observations
    last = len(monotonic) - 1
    b = next((i for i in range(last) if monotonic[i][1] >= rank), last)
    if b == last:
        return monotonic[-2][0]
    if b == 0 and monotonic[0][0] <= 0:
        return monotonic[0][0]
    start, end, count = 0.0, monotonic[b][0], monotonic[b][1]
    if b > 0:
        start = monotonic[b - 1][0]
        count -= monotonic[b - 1][1]
        rank -= monotonic[b - 1][1]
    return start + (end - start) * (rank / count)


def histogram_quantile(qs: Sequence[float], columns: Columns) -> Columns:
    """``histogram_quantile(q, vector)`` at each step (``qs`` gives q per step): one
    column per label set (without ``le`` and ``__name__``) of the ``*_bucket``
    columns, with a value at the steps where any of its buckets has one. Series
    without a parseable ``le`` are ignored, as Prometheus ignores them."""
    groups: dict[Labels, list[tuple[float, StepValues]]] = defaultdict(list)
    for column in columns:
        try:
            bound = float(get_label(column.labels, "le"))
        except ValueError:
            continue
        groups[drop_labels(drop_name(column.labels), ("le",))].append((bound, column.values))
    out: Columns = []
    for labels, members in groups.items():
        bounds = [bound for bound, _ in members]
        values: StepValues = []
        for row, q in zip(zip(*(vs for _, vs in members), strict=True), qs, strict=True):
            buckets = [(bound, v) for bound, v in zip(bounds, row, strict=True) if v is not None]
            values.append(bucket_quantile(q, buckets) if buckets else None)
        out.append(Column(labels, values))
    return out


MATH: dict[str, Callable[[float], float]] = {
    "abs": abs,
    "ceil": lambda v: float(math.ceil(v)) if math.isfinite(v) else v,
    "floor": lambda v: float(math.floor(v)) if math.isfinite(v) else v,
    "exp": lambda v: math.exp(v) if v < 709 else math.inf,
    "sqrt": lambda v: math.sqrt(v) if v >= 0 else math.nan,
    "ln": lambda v: math.log(v) if v > 0 else (-math.inf if v == 0 else math.nan),
    "log2": lambda v: math.log2(v) if v > 0 else (-math.inf if v == 0 else math.nan),
    "log10": lambda v: math.log10(v) if v > 0 else (-math.inf if v == 0 else math.nan),
}


def clamp(value: float, low: float, high: float) -> float:
    """``clamp``: ``value`` bounded to [low, high] (NaN passes through)."""
    if math.isnan(value):
        return value
    return max(low, min(high, value))
