"""PromQL functions: those over range vectors, ``histogram_quantile`` and the
element-wise math functions, with Prometheus's exact arithmetic."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence

from console.sandbox.promql.values import Labels, Sample, Vector, drop_labels, drop_name, get_label

Points = Sequence[tuple[float, float]]


def extrapolated_rate(
    points: Points, range_start: float, range_end: float, *, counter: bool, per_second: bool
) -> float | None:
    """``rate``/``increase`` (counter) or ``delta`` over ``points`` in the window
    ``(range_start, range_end]``, extrapolated to the window's edges exactly as
    Prometheus's ``extrapolatedRate`` does. None (no output) below two points."""
    if len(points) < 2:
        return None
    first_t, first_v = points[0]
    last_t, last_v = points[-1]
    result = last_v - first_v
    if counter:
        prev = first_v
        for _, v in points[1:]:
            if v < prev:
                result += prev
            prev = v
    to_start = first_t - range_start
    to_end = range_end - last_t
    sampled = last_t - first_t
    average_gap = sampled / (len(points) - 1)
    threshold = average_gap * 1.1
    if to_start >= threshold:
        to_start = average_gap / 2
    if counter and result > 0 and first_v >= 0:
        to_zero = sampled * (first_v / result)
        to_start = min(to_start, to_zero)
    if to_end >= threshold:
        to_end = average_gap / 2
    factor = (sampled + to_start + to_end) / sampled
    if per_second:
        factor /= range_end - range_start
    return result * factor


def instant_rate(points: Points, *, counter: bool) -> float | None:
    """``irate`` (counter) or ``idelta`` from the last two points; None below two."""
    if len(points) < 2:
        return None
    (prev_t, prev_v), (last_t, last_v) = points[-2], points[-1]
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


def histogram_quantile(q: float, vector: Vector) -> Vector:
    """``histogram_quantile(q, vector)``: one sample per label set (without ``le``
    and ``__name__``) of the ``*_bucket`` series in ``vector``. Series without a
    parseable ``le`` are ignored, as Prometheus ignores them."""
    groups: dict[Labels, list[tuple[float, float]]] = defaultdict(list)
    for sample in vector:
        try:
            bound = float(get_label(sample.labels, "le"))
        except ValueError:
            continue
        groups[drop_labels(drop_name(sample.labels), ("le",))].append((bound, sample.value))
    return [Sample(labels, bucket_quantile(q, buckets)) for labels, buckets in groups.items()]


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
