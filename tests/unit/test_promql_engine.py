"""The sandbox's PromQL engine against hand-computed Prometheus answers."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from console.sandbox.promql import (
    BadData,
    Engine,
    ExecutionError,
    Matcher,
    Scalar,
    StoredSeries,
    Vector,
    labels_of,
)


class MemorySource:
    """Series given as label dicts and (time, value) lists."""

    def __init__(self, series: list[tuple[dict[str, str], list[tuple[float, float]]]],
                 stale: dict[str, float] | None = None) -> None:
        self.series = series
        self.stale = stale or {}

    def select(self, matchers: Sequence[Matcher], start: float, end: float, *,
               newest_at: Sequence[float] | None = None) -> list[StoredSeries]:
        out = []
        for labels, points in self.series:
            if all(m.matches(labels.get(m.name, "")) for m in matchers):
                pts = [(t, v) for t, v in points if start <= t <= end]
                out.append(StoredSeries(labels_of(labels), [t for t, _ in pts],
                                        [v for _, v in pts], self.stale.get(labels["pod"])))
        return out


def counter(rate: float, start: float = 0, end: float = 600, every: float = 15):
    return [(float(t), rate * t) for t in range(int(start), int(end) + 1, int(every))]


@pytest.fixture
def engine() -> Engine:
    series = [
        ({"__name__": "req_total", "pod": "a", "code": "200", "app": "x"}, counter(10)),
        ({"__name__": "req_total", "pod": "b", "code": "200", "app": "x"}, counter(20)),
        ({"__name__": "req_total", "pod": "a", "code": "500", "app": "x"}, counter(1)),
        ({"__name__": "req_total", "pod": "c", "code": "200", "app": "y"}, counter(5)),
    ]
    return Engine(MemorySource(series))


def values(result: object) -> dict[tuple[tuple[str, str], ...], float]:
    assert isinstance(result, list)
    return {s.labels: s.value for s in result}


def test_an_instant_selector_returns_the_latest_sample_within_the_lookback(engine: Engine) -> None:
    result = values(engine.instant('req_total{pod="a",code="200"}', 400))
    assert list(result.values()) == [3900.0]


def test_an_instant_selector_returns_nothing_after_the_lookback(engine: Engine) -> None:
    assert engine.instant("req_total", 600 + 301) == []


def test_rate_of_a_steady_counter_is_its_slope(engine: Engine) -> None:
    result = values(engine.instant('rate(req_total{pod="b"}[1m])', 300))
    assert result == {labels_of({"pod": "b", "code": "200", "app": "x"}): pytest.approx(20.0)}


def test_rate_extrapolates_to_the_window_edges_like_prometheus() -> None:
    # Samples at 15 s spacing inside a 60 s window starting 7 s after the first sample:
    # Prometheus extrapolates by the gaps to both edges (below 1.1 x the average gap).
    src = MemorySource([({"__name__": "c", "pod": "a"}, [(10.0, 0.0), (25.0, 15.0),
                                                        (40.0, 30.0), (55.0, 45.0)])])
    result = values(Engine(src).instant("increase(c[60s])", 63))
    # sampled 45 s, to start 7 s (but counter zero point is at 10 s: 0 s), to end 8 s
    assert list(result.values()) == [pytest.approx(45 * (45 + 0 + 8) / 45)]


def test_increase_counts_through_a_counter_reset() -> None:
    src = MemorySource([({"__name__": "c", "pod": "a"},
                         [(0.0, 100.0), (15.0, 110.0), (30.0, 5.0), (45.0, 15.0)])])
    result = values(Engine(src).instant("increase(c[50s])", 45))
    # raw increase 15 - 100 + 110 = 25, sampled over 45 s, extrapolated 5 s to the start
    assert list(result.values()) == [pytest.approx(25.0 * 50 / 45)]


def test_irate_uses_the_last_two_samples(engine: Engine) -> None:
    assert list(values(engine.instant('irate(req_total{pod="c"}[1m])', 300)).values()) == [5.0]


def test_sum_by_groups_and_drops_other_labels(engine: Engine) -> None:
    result = values(engine.instant("sum by (app) (rate(req_total[1m]))", 300))
    assert result == {(("app", "x"),): pytest.approx(31.0), (("app", "y"),): pytest.approx(5.0)}


def test_sum_without_drops_only_the_named_labels_and_the_name(engine: Engine) -> None:
    result = values(engine.instant("sum without (pod) (req_total)", 300))
    assert result[labels_of({"app": "x", "code": "200"})] == 9000.0


def test_topk_keeps_the_full_labels_of_the_largest_series(engine: Engine) -> None:
    result = values(engine.instant("topk(1, req_total)", 300))
    assert result == {labels_of({"__name__": "req_total", "pod": "b", "code": "200",
                                 "app": "x"}): 6000.0}


def test_a_ratio_with_ignoring_matches_one_to_one(engine: Engine) -> None:
    q = ('sum by (app, code) (rate(req_total{code="500"}[1m])) / ignoring(code) '
         'sum by (app) (rate(req_total[1m]))')
    assert values(engine.instant(q, 300)) == {labels_of({"app": "x"}): pytest.approx(1 / 31)}


def test_a_comparison_filters_and_bool_returns_zero_or_one(engine: Engine) -> None:
    assert len(engine.instant("req_total > 3000", 300)) == 1
    result = values(engine.instant("req_total > bool 3000", 300))
    assert sorted(result.values()) == [0.0, 0.0, 0.0, 1.0]
    assert all(("__name__", "req_total") not in k for k in result)


def test_offset_reads_the_past(engine: Engine) -> None:
    assert values(engine.instant('req_total{pod="c"} offset 1m', 300)) == {
        labels_of({"__name__": "req_total", "pod": "c", "code": "200", "app": "y"}): 1200.0
    }


def test_avg_over_time_averages_the_window(engine: Engine) -> None:
    result = values(engine.instant('avg_over_time(req_total{pod="c"}[30s])', 300))
    assert list(result.values()) == [pytest.approx((1425 + 1500) / 2)]


def test_scalar_arithmetic_gives_a_scalar(engine: Engine) -> None:
    assert engine.instant("2 * 3 + 1", 0) == Scalar(7.0)
    assert engine.instant("1 / 0", 0) == Scalar(math.inf)


def test_histogram_quantile_interpolates_inside_the_bucket() -> None:
    buckets = {"0.1": 50, "0.5": 90, "1": 100, "+Inf": 100}
    src = MemorySource([({"__name__": "h_bucket", "le": le, "pod": "a"}, [(0.0, float(n))])
                        for le, n in buckets.items()])
    result = values(Engine(src).instant("histogram_quantile(0.7, h_bucket)", 0))
    assert result == {(("pod", "a"),): pytest.approx(0.1 + 0.4 * (70 - 50) / 40)}


def test_histogram_quantile_without_an_inf_bucket_is_nan() -> None:
    src = MemorySource([({"__name__": "h_bucket", "le": "1", "pod": "a"}, [(0.0, 3.0)])])
    result = values(Engine(src).instant("histogram_quantile(0.5, h_bucket)", 0))
    assert all(math.isnan(v) for v in result.values())


def test_a_stale_series_disappears_at_once() -> None:
    src = MemorySource([({"__name__": "g", "pod": "a"}, [(0.0, 1.0), (15.0, 1.0)])],
                       stale={"a": 20.0})
    assert len(Engine(src).instant("g", 19)) == 1
    assert Engine(src).instant("g", 21) == []


def test_range_queries_evaluate_at_every_step(engine: Engine) -> None:
    matrix = engine.range('rate(req_total{pod="a",code="500"}[1m])', 120, 180, 30)
    assert [t for t, _ in matrix[0].points] == [120, 150, 180]
    assert all(v == pytest.approx(1.0) for _, v in matrix[0].points)


def test_a_range_query_past_11000_points_is_refused_with_prometheus_words(
    engine: Engine,
) -> None:
    with pytest.raises(BadData, match="exceeded maximum resolution of 11,000 points"):
        engine.range("req_total", 0, 11_001, 1)


def test_unsupported_constructs_are_bad_data(engine: Engine) -> None:
    for query in ("req_total[5m:1m]", 'label_replace(req_total, "a", "b", "c", "d")', "rate(",
                  "count_values(\"v\", req_total)"):
        with pytest.raises(BadData):
            engine.instant(query, 0)


def test_ambiguous_one_to_one_matching_is_an_execution_error(engine: Engine) -> None:
    with pytest.raises(ExecutionError, match="many-to-many matching not allowed"):
        engine.instant("req_total / on(app) req_total", 300)


def test_group_left_copies_the_included_labels_from_the_one_side() -> None:
    src = MemorySource([
        ({"__name__": "util", "pod": "a", "gpu": "0"}, [(0.0, 50.0)]),
        ({"__name__": "info", "pod": "a", "model": "llama"}, [(0.0, 1.0)]),
    ])
    result: Vector = Engine(src).instant("util * on(pod) group_left(model) info", 0)
    assert values(result) == {labels_of({"pod": "a", "gpu": "0", "model": "llama"}): 50.0}


def test_topk_breaks_ties_by_labels_whatever_the_order_of_the_series() -> None:
    tied = [({"__name__": "up", "pod": pod}, [(0.0, 1.0)]) for pod in ("c", "a", "d", "b")]
    for series in (tied, tied[::-1]):
        result = Engine(MemorySource(series)).instant("topk(2, up)", 0)
        assert [dict(s.labels)["pod"] for s in result] == ["a", "b"]
        result = Engine(MemorySource(series)).instant("bottomk(1, up)", 0)
        assert [dict(s.labels)["pod"] for s in result] == ["a"]
