"""Evaluate lowered PromQL over a source of stored series, at one instant or over
a range of steps, with Prometheus's selection semantics: a 5-minute lookback for
instant selectors, staleness, left-open range windows and ``offset``."""

from __future__ import annotations

import bisect
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from console.sandbox.promql import functions as fn
from console.sandbox.promql.operators import (
    aggregate,
    scalar_op,
    set_operation,
    vector_scalar,
    vector_vector,
)
from console.sandbox.promql.syntax import (
    SET_OPERATORS,
    Aggregate,
    Binary,
    Call,
    Matcher,
    MatrixSelector,
    Negation,
    Node,
    NumberLiteral,
    Selector,
    StringLiteral,
    kind_of,
    parse,
)
from console.sandbox.promql.values import (
    BadData,
    ExecutionError,
    Labels,
    Matrix,
    PromQLError,
    RangeSeries,
    Sample,
    Scalar,
    String,
    Value,
    Vector,
    drop_name,
)

DEFAULT_LOOKBACK = 300.0
MAX_POINTS = 11_000


class QueryTimeout(PromQLError):
    """Evaluation ran past the engine's deadline."""

    error_type = "timeout"
    status = 503


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

    def select(self, matchers: Sequence[Matcher], start: float, end: float) -> list[StoredSeries]:
        """Every series matching all ``matchers``, with its samples in [start, end]."""


class Engine:
    """A PromQL engine over one ``SeriesSource``."""

    def __init__(
        self, source: SeriesSource, *, lookback: float = DEFAULT_LOOKBACK, timeout: float = 120.0
    ) -> None:
        self.source = source
        self.lookback = lookback
        self.timeout = timeout

    def instant(self, query: str, at: float, warnings: list[str] | None = None) -> Value:
        """``query`` evaluated at ``at``; Prometheus's annotations (e.g. rate() of a
        metric that may not be a counter) are appended to ``warnings`` when given.
        Raises ``BadData``, ``ExecutionError`` or ``QueryTimeout``."""
        node = parse(query)
        return _Evaluation(self, node, at, at, warnings).eval(node, at)

    def range(
        self, query: str, start: float, end: float, step: float,
        warnings: list[str] | None = None,
    ) -> Matrix:
        """``query`` evaluated at every ``step`` from ``start`` to ``end``, as one
        series per label set (annotations appended to ``warnings``). Raises
        ``BadData`` for bad parameters (with Prometheus's wording) or an expression
        that is not scalar or instant vector."""
        if end < start:
            raise BadData('invalid parameter "end": end timestamp must not be before start time')
        if step <= 0:
            raise BadData(
                'invalid parameter "step": zero or negative query resolution step widths are '
                "not accepted. Try a positive integer"
            )
        if (end - start) / step > MAX_POINTS:
            raise BadData(
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing "
                "the query resolution (?step=XX)"
            )
        node = parse(query)
        kind = kind_of(node)
        if kind not in ("scalar", "vector"):
            shown = "range vector" if kind == "matrix" else kind
            raise BadData(
                f'invalid parameter "query": invalid expression type "{shown}" for range '
                "query, must be Scalar or instant Vector"
            )
        evaluation = _Evaluation(self, node, start, end, warnings)
        series: dict[Labels, RangeSeries] = {}
        steps = int((end - start) / step + 1e-9) + 1
        for i in range(steps):
            t = round(start + i * step, 3)
            value = evaluation.eval(node, t)
            samples = [Sample((), value.value)] if isinstance(value, Scalar) else value
            assert isinstance(samples, list)
            for s in samples:
                assert isinstance(s, Sample)
                series.setdefault(s.labels, RangeSeries(s.labels)).points.append((t, s.value))
        return [series[k] for k in sorted(series)]


class _Evaluation:
    """The state of one query: its deadline and the series each selector fetched."""

    def __init__(self, engine: Engine, node: Node, start: float, end: float,
                 warnings: list[str] | None) -> None:
        self.engine = engine
        self.warnings = warnings
        self.start = start
        self.end = end
        self.deadline = time.monotonic() + engine.timeout
        self.fetched: dict[int, list[StoredSeries]] = {}

    # ----------------------------------------------------------- selection

    def _series(self, sel: Selector, reach: float) -> list[StoredSeries]:
        if time.monotonic() > self.deadline:
            raise QueryTimeout("query timed out in expression evaluation")
        found = self.fetched.get(id(sel))
        if found is None:
            found = self.engine.source.select(
                sel.matchers, self.start - sel.offset - reach, self.end - sel.offset
            )
            self.fetched[id(sel)] = found
        return found

    def instant_vector(self, sel: Selector, t: float) -> Vector:
        lookback = self.engine.lookback
        ref = t - sel.offset
        out: Vector = []
        for s in self._series(sel, lookback):
            i = bisect.bisect_right(s.times, ref) - 1
            if i < 0 or s.times[i] <= ref - lookback:
                continue
            if s.stale_at is not None and s.times[i] < s.stale_at <= ref:
                continue
            out.append(Sample(s.labels, s.values[i]))
        return out

    def range_vector(self, ms: MatrixSelector, t: float) -> Matrix:
        ref = t - ms.selector.offset
        out: Matrix = []
        for s in self._series(ms.selector, ms.range):
            lo = bisect.bisect_right(s.times, ref - ms.range)
            hi = bisect.bisect_right(s.times, ref)
            if hi > lo:
                out.append(RangeSeries(s.labels, list(zip(s.times[lo:hi], s.values[lo:hi],
                                                          strict=True))))
        return out

    # ---------------------------------------------------------- evaluation

    def eval(self, node: Node, t: float) -> Value:
        """The value of ``node`` at ``t``."""
        match node:
            case NumberLiteral(value):
                return Scalar(value)
            case StringLiteral(value):
                return String(value)
            case Selector():
                return self.instant_vector(node, t)
            case MatrixSelector():
                return self.range_vector(node, t)
            case Negation(expr):
                inner = self.eval(expr, t)
                if isinstance(inner, Scalar):
                    return Scalar(-inner.value)
                return [Sample(drop_name(s.labels), -s.value) for s in self._vector(inner)]
            case Call():
                return self._call(node, t)
            case Aggregate(op, expr, param, labels, without):
                k = self._scalar(param, t) if param is not None else None
                return aggregate(op, self._vector(self.eval(expr, t)), labels, without, k)
            case Binary():
                return self._binary(node, t)
        raise BadData(f"cannot evaluate {type(node).__name__}")

    def _scalar(self, node: Node, t: float) -> float:
        value = self.eval(node, t)
        if not isinstance(value, Scalar):
            raise BadData("expected a scalar parameter")
        return value.value

    @staticmethod
    def _vector(value: Value) -> Vector:
        assert isinstance(value, list)
        return [s for s in value if isinstance(s, Sample)]

    def _binary(self, node: Binary, t: float) -> Value:
        lhs, rhs = self.eval(node.lhs, t), self.eval(node.rhs, t)
        if isinstance(lhs, Scalar) and isinstance(rhs, Scalar):
            return Scalar(scalar_op(node.op, lhs.value, rhs.value))
        if isinstance(rhs, Scalar):
            return vector_scalar(node.op, self._vector(lhs), rhs.value, scalar_on_left=False,
                                 return_bool=node.return_bool)
        if isinstance(lhs, Scalar):
            return vector_scalar(node.op, self._vector(rhs), lhs.value, scalar_on_left=True,
                                 return_bool=node.return_bool)
        if node.op in SET_OPERATORS:
            return set_operation(node, self._vector(lhs), self._vector(rhs))
        return vector_vector(node, self._vector(lhs), self._vector(rhs))

    def _call(self, node: Call, t: float) -> Value:
        name, args = node.name, node.args
        if name == "time":
            return Scalar(t)
        if name == "vector":
            return [Sample((), self._scalar(args[0], t))]
        if name == "scalar":
            vec = self._vector(self.eval(args[0], t))
            return Scalar(vec[0].value if len(vec) == 1 else float("nan"))
        if name == "histogram_quantile":
            q = self._scalar(args[0], t)
            return _unique(fn.histogram_quantile(q, self._vector(self.eval(args[1], t))))
        if name in ("sort", "sort_desc"):
            vec = self._vector(self.eval(args[0], t))
            return sorted(vec, key=lambda s: s.value, reverse=name == "sort_desc")
        if name in fn.MATH or name.startswith("clamp"):
            return _unique(self._elementwise(node, t))
        return _unique(self._over_range(node, t))

    def _warn_not_counter(self, labels: Labels) -> None:
        if self.warnings is None:
            return
        text = _counter_warning(labels)
        if text is not None and text not in self.warnings:
            self.warnings.append(text)

    def _elementwise(self, node: Node, t: float) -> Vector:
        assert isinstance(node, Call)
        vec = self._vector(self.eval(node.args[0], t))
        if node.name in fn.MATH:
            f = fn.MATH[node.name]
            return [Sample(drop_name(s.labels), f(s.value)) for s in vec]
        bounds = [self._scalar(a, t) for a in node.args[1:]]
        if node.name == "clamp":
            low, high = bounds
        elif node.name == "clamp_min":
            low, high = bounds[0], float("inf")
        else:
            low, high = float("-inf"), bounds[0]
        if low > high:
            return []
        return [Sample(drop_name(s.labels), fn.clamp(s.value, low, high)) for s in vec]

    def _over_range(self, node: Call, t: float) -> Vector:
        name = node.name
        q = self._scalar(node.args[0], t) if name == "quantile_over_time" else None
        ms = node.args[-1]
        assert isinstance(ms, MatrixSelector)
        range_end = t - ms.selector.offset
        range_start = range_end - ms.range
        out: Vector = []
        for series in self.range_vector(ms, t):
            if name in ("rate", "increase", "irate"):
                self._warn_not_counter(series.labels)
            pts = series.points
            value: float | None
            if name in ("rate", "increase", "delta"):
                value = fn.extrapolated_rate(pts, range_start, range_end,
                                             counter=name != "delta", per_second=name == "rate")
            elif name in ("irate", "idelta"):
                value = fn.instant_rate(pts, counter=name == "irate")
            elif name == "quantile_over_time":
                assert q is not None
                value = fn.quantile(q, [v for _, v in pts])
            else:
                value = fn.OVER_TIME[name]([v for _, v in pts])
            if value is not None:
                keep = name == "last_over_time"
                out.append(Sample(series.labels if keep else drop_name(series.labels), value))
        return out


def _counter_warning(labels: Labels) -> str | None:
    name = next((v for k, v in labels if k == "__name__"), "")
    if name.endswith(_COUNTER_SUFFIXES):
        return None
    return (
        "PromQL info: metric might not be a counter, name does not end in "
        f'_total/_sum/_count/_bucket: "{name}"'
    )


_COUNTER_SUFFIXES = ("_total", "_sum", "_count", "_bucket")


def _unique(vector: Vector) -> Vector:
    """``vector`` unchanged. Raises ``ExecutionError`` when dropping names left two
    elements with the same labels, as Prometheus does."""
    if len({s.labels for s in vector}) != len(vector):
        raise ExecutionError("vector cannot contain metrics with the same labelset")
    return vector
