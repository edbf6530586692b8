"""Values over every evaluation step at once: how the engine evaluates a query.

An expression is evaluated once over all the steps of a query (a single step for
an instant query) rather than once per step: a scalar becomes one number per step
and an instant vector a list of ``Column``s, each one series' value at every step
(None where the series has no value). A column list stands for the instant
vector of each step, namely the columns with a value there, in list order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.sandbox.promql.values import (
    ExecutionError,
    Labels,
    Matrix,
    RangeSeries,
    Sample,
    Scalar,
    String,
    Value,
    Vector,
)

#: One series' value at each step, None where it has none.
StepValues = list[float | None]


@dataclass(slots=True)
class Column:
    """One series over the evaluation steps."""

    labels: Labels
    values: StepValues


@dataclass(frozen=True, slots=True)
class Scalars:
    """A scalar expression's value at each step."""

    values: list[float]


Columns = list[Column]
Stepped = Scalars | Columns | String


def has_any(values: StepValues) -> bool:
    """Whether ``values`` has a value at some step."""
    return values.count(None) < len(values)


def kept(columns: Columns) -> Columns:
    """``columns`` without those that have no value at any step."""
    return [c for c in columns if has_any(c.values)]


def unique(columns: Columns) -> Columns:
    """``columns`` unchanged. Raises ``ExecutionError`` when two of them have the same
    labels and a value at the same step (two elements of one instant vector with the
    same labels), as Prometheus does."""
    seen: dict[Labels, StepValues] = {}
    for column in columns:
        other = seen.get(column.labels)
        if other is None:
            seen[column.labels] = column.values
            continue
        if any(a is not None and b is not None
               for a, b in zip(other, column.values, strict=True)):
            raise ExecutionError("vector cannot contain metrics with the same labelset")
        seen[column.labels] = [a if a is not None else b
                               for a, b in zip(other, column.values, strict=True)]
    return columns


def at_step(value: Stepped, i: int) -> Value:
    """The instant value of step ``i``: a ``Scalar``, a ``String`` or the vector of
    the columns with a value there."""
    if isinstance(value, Scalars):
        return Scalar(value.values[i])
    if isinstance(value, String):
        return value
    out: Vector = []
    for column in value:
        v = column.values[i]
        if v is not None:
            out.append(Sample(column.labels, v))
    return out


def as_matrix(value: Scalars | Columns, steps: Sequence[float]) -> Matrix:
    """A range query's answer: one series per label set, points oldest first, series
    ordered by labels; a scalar becomes one series without labels."""
    if isinstance(value, Scalars):
        return [RangeSeries((), list(zip(steps, value.values, strict=True)))]
    series: dict[Labels, RangeSeries] = {}
    joined: set[Labels] = set()
    for column in value:
        points = [(t, v) for t, v in zip(steps, column.values, strict=True) if v is not None]
        found = series.get(column.labels)
        if found is None:
            if points:
                series[column.labels] = RangeSeries(column.labels, points)
            continue
        joined.add(column.labels)
        found.points.extend(points)
    for labels in joined:
        series[labels].points.sort(key=lambda point: point[0])
    return [series[k] for k in sorted(series)]
