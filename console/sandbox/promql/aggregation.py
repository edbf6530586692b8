"""PromQL aggregations over columns (``console.sandbox.promql.steps``): each
step's answer is the aggregation of that step's instant vector."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence

from console.sandbox.promql.functions import quantile
from console.sandbox.promql.steps import Column, Columns, StepValues
from console.sandbox.promql.values import Labels, drop_labels, drop_name, keep_only


def aggregate(
    op: str, columns: Columns, labels: tuple[str, ...], without: bool,
    params: Sequence[float] | None, steps: int,
) -> Columns:
    """``op by/without (labels) (vector)`` at each of ``steps`` steps; ``params`` is
    topk/bottomk's k or quantile's q at each step. A group has a value at the steps
    where one of its members has. topk/bottomk keep each chosen series' own labels."""
    groups: dict[Labels, Columns] = {}
    for column in columns:
        key = (drop_labels(drop_name(column.labels), labels) if without
               else keep_only(column.labels, labels))
        groups.setdefault(key, []).append(column)
    if op in ("topk", "bottomk"):
        assert params is not None
        ks = [int(k or 0) for k in params]
        out: Columns = []
        for group in groups.values():
            out.extend(_ranked(group, ks, descending=op == "topk"))
        return out
    fold = _FOLDS[op]
    each = params if params is not None else [math.nan] * steps
    result: Columns = []
    for key, group in groups.items():
        values: StepValues = []
        for row, param in zip(zip(*(c.values for c in group), strict=True), each, strict=True):
            present = row if None not in row else [v for v in row if v is not None]
            values.append(fold(present, param) if present else None)
        result.append(Column(key, values))
    return result


def _ranked(group: Columns, ks: Sequence[int], *, descending: bool) -> Columns:
    """The members of one topk/bottomk group, each with a value at the steps where it
    is among the ``k`` first (ties broken by labels, so that the choice does not
    depend on the order of the series), ordered by the first step at which each is
    chosen, then by rank there."""
    chosen: dict[int, tuple[int, int, Column]] = {}
    for i, k in enumerate(ks):
        if k <= 0:
            continue
        present = [(j, v) for j, c in enumerate(group) if (v := c.values[i]) is not None]
        present.sort(key=lambda p: (_rank(p[1], descending), group[p[0]].labels, p[0]))
        for rank, (j, v) in enumerate(present[:k]):
            if j not in chosen:
                chosen[j] = (i, rank, Column(group[j].labels, [None] * len(ks)))
            chosen[j][2].values[i] = v
    return [c for _, _, c in sorted(chosen.values(), key=lambda e: e[:2])]


def _rank(value: float, descending: bool) -> tuple[bool, float]:
    if math.isnan(value):
        return True, 0.0
    return False, -value if descending else value


def _extreme(values: Sequence[float], lowest: bool) -> float:
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return math.nan
    return min(finite) if lowest else max(finite)


#: Each aggregation's value of a group's values at one step, given its parameter.
_FOLDS: dict[str, Callable[[Sequence[float], float], float]] = {
    "sum": lambda vs, _: math.fsum(vs),
    "avg": lambda vs, _: statistics.fmean(vs),
    "count": lambda vs, _: float(len(vs)),
    "group": lambda vs, _: 1.0,
    "min": lambda vs, _: _extreme(vs, lowest=True),
    "max": lambda vs, _: _extreme(vs, lowest=False),
    "stddev": lambda vs, _: math.sqrt(statistics.pvariance(vs)),
    "stdvar": lambda vs, _: statistics.pvariance(vs),
    "quantile": lambda vs, q: quantile(q, vs),
}
