"""The evaluation of one query over all its steps at once
(``console.sandbox.promql.steps``): every selector reads its series once, and walks
each series' samples once across the steps, with Prometheus's selection semantics
(a lookback for instant selectors, staleness, left-open range windows, ``offset``)."""

from __future__ import annotations

import time

from console.sandbox.promql import functions as fn
from console.sandbox.promql.aggregation import aggregate
from console.sandbox.promql.operators import (
    scalar_op,
    set_operation,
    vector_scalar,
    vector_vector,
)
from console.sandbox.promql.selection import Windows, latest, windows
from console.sandbox.promql.source import SeriesSource, StoredSeries
from console.sandbox.promql.steps import (
    Column,
    Columns,
    Scalars,
    Stepped,
    has_any,
    kept,
    unique,
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
)
from console.sandbox.promql.values import (
    BadData,
    Labels,
    Matrix,
    QueryTimeout,
    RangeSeries,
    String,
    drop_name,
)


class Evaluation:
    """One query over ``source``: its steps, its deadline (``timeout`` seconds from
    now), the annotations it adds to ``warnings`` and the series each selector
    fetched."""

    def __init__(self, source: SeriesSource, steps: list[float], *, lookback: float,
                 timeout: float, warnings: list[str] | None) -> None:
        self.source = source
        self.steps = steps
        self.lookback = lookback
        self.warnings = warnings
        self.deadline = time.monotonic() + timeout
        self.fetched: dict[tuple[tuple[Matcher, ...], float, float, bool],
                           list[StoredSeries]] = {}

    # ----------------------------------------------------------- selection

    def _check_deadline(self) -> None:
        if time.monotonic() > self.deadline:
            raise QueryTimeout("query timed out in expression evaluation")

    def _series(self, sel: Selector, reach: float, *, newest: bool = False) -> list[StoredSeries]:
        """The series ``sel`` matches with their samples over the query's steps and
        ``reach`` before the first (only the newest before each step if ``newest``),
        fetched once per query."""
        self._check_deadline()
        key = (sel.matchers, sel.offset, reach, newest)
        found = self.fetched.get(key)
        if found is None:
            refs = self._refs(sel)
            found = self.source.select(sel.matchers, refs[0] - reach, refs[-1],
                                              newest_at=refs if newest else None)
            self.fetched[key] = found
        return found

    def _refs(self, sel: Selector) -> list[float]:
        """The times ``sel`` reads at: each step less its offset."""
        return [t - sel.offset for t in self.steps]

    def instant_vector(self, sel: Selector) -> Columns:
        """What ``sel`` reads at each step: one column per series it matches."""
        lookback = self.lookback
        refs = self._refs(sel)
        out: Columns = []
        for s in self._series(sel, lookback, newest=True):
            values = latest(s.times, s.values, s.stale_at, refs, lookback)
            if has_any(values):
                out.append(Column(s.labels, values))
        return out

    def matrix_at(self, ms: MatrixSelector) -> Matrix:
        """The range vector ``ms`` selects at the query's only step."""
        ref = self._refs(ms.selector)[0]
        out: Matrix = []
        for s in self._series(ms.selector, ms.range):
            found = windows(s.times, [ref], ms.range)
            lo, hi = found.lows[0], found.highs[0]
            if hi > lo:
                out.append(RangeSeries(s.labels, list(zip(s.times[lo:hi], s.values[lo:hi],
                                                          strict=True))))
        return out

    # ---------------------------------------------------------- evaluation

    def eval(self, node: Node) -> Stepped:
        """The value of ``node`` at every step."""
        self._check_deadline()
        match node:
            case NumberLiteral(value):
                return Scalars([value] * len(self.steps))
            case StringLiteral(value):
                return String(value)
            case Selector():
                return self.instant_vector(node)
            case Negation(expr):
                inner = self.eval(expr)
                if isinstance(inner, Scalars):
                    return Scalars([-v for v in inner.values])
                return [Column(drop_name(c.labels), [None if v is None else -v for v in c.values])
                        for c in self._vector(inner)]
            case Call():
                return self._call(node)
            case Aggregate(op, expr, param, labels, without):
                params = self._scalars(param) if param is not None else None
                return aggregate(op, self._vector(self.eval(expr)), labels, without, params,
                                 len(self.steps))
            case Binary():
                return self._binary(node)
        raise BadData(f"cannot evaluate {type(node).__name__}")

    def _scalars(self, node: Node) -> list[float]:
        value = self.eval(node)
        if not isinstance(value, Scalars):
            raise BadData("expected a scalar parameter")
        return value.values

    @staticmethod
    def _vector(value: Stepped) -> Columns:
        assert isinstance(value, list)
        return value

    def _binary(self, node: Binary) -> Stepped:
        lhs, rhs = self.eval(node.lhs), self.eval(node.rhs)
        steps = len(self.steps)
        if isinstance(lhs, Scalars) and isinstance(rhs, Scalars):
            return Scalars([scalar_op(node.op, a, b)
                            for a, b in zip(lhs.values, rhs.values, strict=True)])
        if isinstance(rhs, Scalars):
            return vector_scalar(node.op, self._vector(lhs), rhs.values, scalar_on_left=False,
                                 return_bool=node.return_bool)
        if isinstance(lhs, Scalars):
            return vector_scalar(node.op, self._vector(rhs), lhs.values, scalar_on_left=True,
                                 return_bool=node.return_bool)
        if node.op in SET_OPERATORS:
            return set_operation(node, self._vector(lhs), self._vector(rhs), steps)
        return vector_vector(node, self._vector(lhs), self._vector(rhs), steps)

    def _call(self, node: Call) -> Stepped:
        name, args = node.name, node.args
        if name == "time":
            return Scalars(list(self.steps))
        if name == "vector":
            return [Column((), list(self._scalars(args[0])))]
        if name == "scalar":
            columns = self._vector(self.eval(args[0]))
            return Scalars([_only_value([c.values[i] for c in columns])
                            for i in range(len(self.steps))])
        if name == "histogram_quantile":
            qs = self._scalars(args[0])
            return kept(fn.histogram_quantile(qs, self._vector(self.eval(args[1]))))
        if name in ("sort", "sort_desc"):
            columns = self._vector(self.eval(args[0]))
            if len(self.steps) > 1:
                return columns  # only an instant vector is ordered; a range is ordered by labels
            return sorted(kept(columns), key=_first_value, reverse=name == "sort_desc")
        if name in fn.MATH or name.startswith("clamp"):
            return unique(self._elementwise(node))
        return unique(self._over_range(node))

    def _warn_not_counter(self, labels: Labels) -> None:
        if self.warnings is None:
            return
        text = _counter_warning(labels)
        if text is not None and text not in self.warnings:
            self.warnings.append(text)

    def _elementwise(self, node: Call) -> Columns:
        columns = self._vector(self.eval(node.args[0]))
        if node.name in fn.MATH:
            f = fn.MATH[node.name]
            return [Column(drop_name(c.labels), [None if v is None else f(v) for v in c.values])
                    for c in columns]
        bounds = [self._scalars(a) for a in node.args[1:]]
        steps = len(self.steps)
        if node.name == "clamp":
            lows, highs = bounds
        elif node.name == "clamp_min":
            lows, highs = bounds[0], [float("inf")] * steps
        else:
            lows, highs = [float("-inf")] * steps, bounds[0]
        out: Columns = []
        for c in columns:
            values = [None if v is None or low > high else fn.clamp(v, low, high)
                      for v, low, high in zip(c.values, lows, highs, strict=True)]
            if has_any(values):
                out.append(Column(drop_name(c.labels), values))
        return out

    def _over_range(self, node: Call) -> Columns:
        name = node.name
        qs = self._scalars(node.args[0]) if name == "quantile_over_time" else None
        ms = node.args[-1]
        assert isinstance(ms, MatrixSelector)
        ends = self._refs(ms.selector)
        keep = name == "last_over_time"
        out: Columns = []
        # The series of one group share their sample times, and so their windows.
        shared: dict[int, Windows] = {}
        for series in self._series(ms.selector, ms.range):
            found = shared.get(id(series.times))
            if found is None:
                found = shared[id(series.times)] = windows(series.times, ends, ms.range)
            if found.lows == found.highs:
                continue
            if name in ("rate", "increase", "irate"):
                self._warn_not_counter(series.labels)
            values = fn.over_range(name, found, series.values, qs)
            if has_any(values):
                out.append(Column(series.labels if keep else drop_name(series.labels), values))
        return out


def _first_value(column: Column) -> float:
    """The value of a column of a single step that has one there."""
    value = column.values[0]
    assert value is not None
    return value


def _only_value(values: list[float | None]) -> float:
    """``scalar()`` of one step's vector: its only element's value, else NaN."""
    present = [v for v in values if v is not None]
    return present[0] if len(present) == 1 else float("nan")


def _counter_warning(labels: Labels) -> str | None:
    name = next((v for k, v in labels if k == "__name__"), "")
    if name.endswith(_COUNTER_SUFFIXES):
        return None
    return (
        "PromQL info: metric might not be a counter, name does not end in "
        f'_total/_sum/_count/_bucket: "{name}"'
    )


_COUNTER_SUFFIXES = ("_total", "_sum", "_count", "_bucket")
