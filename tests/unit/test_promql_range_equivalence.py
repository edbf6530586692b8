"""A range query evaluates all its steps at once; its answer must be exactly what
evaluating each step on its own as an instant query gives (series, values and
errors), over hand-made series with resets, gaps and staleness and over the
sandbox's own series."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from console.sandbox.metrics import MetricsEngine
from console.sandbox.promql import (
    Engine,
    ExecutionError,
    Labels,
    Matcher,
    Scalar,
    StoredSeries,
)
from console.sandbox.store import ObjectStore
from console.sandbox.world import World
from tests.unit.test_promql_engine import MemorySource

Points = dict[Labels, list[tuple[float, float | str]]]


def _key(value: float) -> float | str:
    return "NaN" if math.isnan(value) else value


def by_range(engine: Engine, query: str, start: float, end: float, step: float) -> Points:
    return {s.labels: [(t, _key(v)) for t, v in s.points]
            for s in engine.range(query, start, end, step)}


def by_instants(engine: Engine, query: str, start: float, end: float, step: float) -> Points:
    out: Points = {}
    for i in range(int((end - start) / step + 1e-9) + 1):
        t = round(start + i * step, 3)
        value = engine.instant(query, t)
        samples = [((), value.value)] if isinstance(value, Scalar) else [
            (s.labels, s.value) for s in value]  # type: ignore[union-attr]
        for labels, v in samples:
            out.setdefault(labels, []).append((t, _key(v)))
    return out


def counter(rate: float, start: int, end: int, every: int = 15, *,
            reset_at: int | None = None) -> list[tuple[float, float]]:
    """A counter sampled every ``every`` s from ``start`` to ``end`` that restarts
    from zero at ``reset_at``."""
    points = []
    for t in range(start, end + 1, every):
        base = t if reset_at is None or t < reset_at else t - reset_at
        points.append((float(t), rate * base))
    return points


def gauge(values: Sequence[float], start: int, every: int = 10) -> list[tuple[float, float]]:
    return [(float(start + i * every), v) for i, v in enumerate(values)]


HISTOGRAM = [
    ({"__name__": "h_bucket", "pod": pod, "le": le}, counter(rate * share, 0, 900))
    for pod, rate in (("a", 4.0), ("b", 1.0))
    for le, share in (("0.1", 0.5), ("0.5", 0.8), ("1", 0.95), ("+Inf", 1.0))
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    series = [
        ({"__name__": "req_total", "pod": "a", "code": "200", "app": "x"}, counter(10, 0, 900)),
        ({"__name__": "req_total", "pod": "b", "code": "200", "app": "x"},
         counter(20, 0, 900, reset_at=400)),
        ({"__name__": "req_total", "pod": "a", "code": "500", "app": "x"}, counter(1, 0, 900)),
        # Starts late and is sampled off the others' grid.
        ({"__name__": "req_total", "pod": "c", "code": "200", "app": "y"},
         counter(5, 307, 900, every=20)),
        # Vanishes at 500 with a staleness marker.
        ({"__name__": "req_total", "pod": "d", "code": "503", "app": "y"},
         counter(2, 0, 480)),
        ({"__name__": "temp", "pod": "a", "app": "x"},
         gauge([3, 5, 5, 2, math.nan, 7, 7, 1, 4, 4] * 9, 0)),
        ({"__name__": "temp", "pod": "b", "app": "x"}, gauge([5, 5, 1, 2, 3] * 18, 5)),
        # A gap longer than the lookback between 300 and 700.
        ({"__name__": "temp", "pod": "c", "app": "y"},
         gauge([2, 4] * 15, 0) + gauge([6, 1] * 10, 700)),
        ({"__name__": "info", "pod": "a", "model": "llama"}, gauge([1] * 90, 0)),
        ({"__name__": "info", "pod": "b", "model": "mistral"}, gauge([1] * 90, 0)),
        *HISTOGRAM,
    ]
    return Engine(MemorySource(series, stale={"d": 500.0}))


QUERIES = (
    "req_total",
    "rate(req_total[1m])",
    "increase(req_total[2m])",
    "irate(req_total[1m])",
    "delta(temp[2m])",
    "idelta(temp[1m])",
    "sum by (app) (rate(req_total[1m]))",
    "sum without (pod) (req_total)",
    'sum(rate(req_total{code=~"5.."}[1m])) / sum(rate(req_total[1m]))',
    'sum by (app, code) (rate(req_total{code!="200"}[1m])) / ignoring(code) '
    "sum by (app) (rate(req_total[1m]))",
    "histogram_quantile(0.9, sum by (le) (rate(h_bucket[1m])))",
    "histogram_quantile(0.5, rate(h_bucket[2m]))",
    "topk(2, temp)",
    "bottomk(1, temp)",
    "topk by (app) (1, rate(req_total[1m]))",
    "req_total offset 1m",
    "rate(req_total[1m] offset 45s)",
    "avg(temp)", "min(temp)", "max(temp)", "count(temp)", "stddev(temp)", "quantile(0.5, temp)",
    "temp > 3", "temp > bool 3", "4 < temp", "temp * 2", "2 - temp", "-temp",
    "temp * on(pod) group_left(model) info",
    "req_total and on(pod) temp", "req_total unless on(pod) temp", "temp or on(pod) req_total",
    "abs(-temp)", "clamp(temp, 2, 5)", "clamp_min(temp, 3)", "sqrt(temp)",
    "avg_over_time(temp[1m])", "max_over_time(temp[1m])", "quantile_over_time(0.5, temp[2m])",
    "last_over_time(temp[30s])", "count_over_time(req_total[1m])",
    "scalar(sum(temp))", "time()", "vector(1)", "time() - 100", "sort_desc(temp)",
)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize(("start", "end", "step"), [(0, 900, 30), (13, 890, 7), (120, 900, 300)])
def test_a_range_query_equals_an_instant_query_at_each_step(
    engine: Engine, query: str, start: float, end: float, step: float
) -> None:
    assert by_range(engine, query, start, end, step) == by_instants(engine, query, start, end,
                                                                    step)


def test_a_range_query_fails_when_one_of_its_steps_fails_alone() -> None:
    # The two pods only share app="x" from 400 on, when "b" starts.
    src = MemorySource([
        ({"__name__": "up", "pod": "a", "app": "x"}, gauge([1] * 90, 0)),
        ({"__name__": "up", "pod": "b", "app": "x"}, gauge([1] * 50, 400)),
    ])
    engine = Engine(src)
    query = "up / on(app) up"
    assert engine.instant(query, 390) != []
    with pytest.raises(ExecutionError, match="many-to-many matching not allowed"):
        engine.instant(query, 410)
    with pytest.raises(ExecutionError, match="many-to-many matching not allowed"):
        engine.range(query, 0, 900, 30)


@pytest.fixture(scope="module")
def sandbox_engine() -> tuple[Engine, float]:
    world = World(ObjectStore(), seed=7)
    world.populate()
    return Engine(MetricsEngine.attach(world)), world.now()


PANEL_QUERIES = (
    "sum by (deployment) (rate(model_requests_total[5m]))",
    'sum by (deployment) (rate(model_requests_total{code=~"5.."}[5m])) / '
    "sum by (deployment) (rate(model_requests_total[5m]))",
    "histogram_quantile(0.99, sum by (deployment, le) "
    "(rate(model_request_duration_seconds_bucket[5m])))",
    "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)",
    "sum by (Hostname) (DCGM_FI_DEV_FB_USED) * 1048576",
    "sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))",
    "topk(3, sum by (pod) (rate(model_requests_total[5m])))",
    "kube_pod_status_ready offset 10m",
)


@pytest.mark.parametrize("query", PANEL_QUERIES)
def test_over_the_sandbox_series_a_range_query_equals_its_instant_queries(
    sandbox_engine: tuple[Engine, float], query: str
) -> None:
    engine, now = sandbox_engine
    end = now // 60 * 60
    result = by_range(engine, query, end - 900, end, 60)
    assert result and result == by_instants(engine, query, end - 900, end, 60)


class EverySample:
    """A source that ignores ``newest_at`` and returns every sample."""

    def __init__(self, source: MetricsEngine) -> None:
        self.source = source

    def select(self, matchers: Sequence[Matcher], start: float, end: float, *,
               newest_at: Sequence[float] | None = None) -> list[StoredSeries]:
        return self.source.select(matchers, start, end)


@pytest.mark.parametrize("query", PANEL_QUERIES)
def test_the_sandbox_sampling_only_what_selectors_read_changes_no_answer(
    sandbox_engine: tuple[Engine, float], query: str
) -> None:
    engine, now = sandbox_engine
    assert isinstance(engine.source, MetricsEngine)
    dense = Engine(EverySample(engine.source))
    end = now // 300 * 300
    for start, step in ((end - 3600, 60), (end - 6 * 3600, 900), (end - 600, 7)):
        assert by_range(engine, query, start, end, step) == by_range(dense, query, start, end,
                                                                     step)
