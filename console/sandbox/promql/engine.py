"""Evaluate PromQL over a source of stored series, at one instant or over a range
of steps, with Prometheus's semantics; the parameter checks and errors of its
HTTP API's ``query`` and ``query_range``.

Every query, instant or range, is evaluated over all its steps at once
(``console.sandbox.promql.evaluation``), so a range query answers at each step
exactly what an instant query at that step answers."""

from __future__ import annotations

from console.sandbox.promql.evaluation import Evaluation
from console.sandbox.promql.source import SeriesSource
from console.sandbox.promql.steps import as_matrix, at_step
from console.sandbox.promql.syntax import MatrixSelector, kind_of, parse
from console.sandbox.promql.values import BadData, Matrix, String, Value

DEFAULT_LOOKBACK = 300.0
MAX_POINTS = 11_000


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
        evaluation = self._evaluation([at], warnings)
        if isinstance(node, MatrixSelector):
            return evaluation.matrix_at(node)
        return at_step(evaluation.eval(node), 0)

    def range(
        self, query: str, start: float, end: float, step: float,
        warnings: list[str] | None = None,
    ) -> Matrix:
        """``query`` evaluated at every ``step`` from ``start`` to ``end``, as one
        series per label set (annotations appended to ``warnings``). Raises
        ``BadData`` for bad parameters (with Prometheus's wording) or an expression
        that is not scalar or instant vector, ``ExecutionError`` when a step cannot
        be evaluated, ``QueryTimeout``."""
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
        count = int((end - start) / step + 1e-9) + 1
        steps = [round(start + i * step, 3) for i in range(count)]
        value = self._evaluation(steps, warnings).eval(node)
        assert not isinstance(value, String)
        return as_matrix(value, steps)

    def _evaluation(self, steps: list[float], warnings: list[str] | None) -> Evaluation:
        return Evaluation(self.source, steps, lookback=self.lookback, timeout=self.timeout,
                          warnings=warnings)
