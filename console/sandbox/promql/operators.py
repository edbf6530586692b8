"""PromQL binary operators over columns (``console.sandbox.promql.steps``), with
Prometheus's vector matching: each step's answer is what the operator gives for
that step's instant vectors."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from console.sandbox.promql.steps import Column, Columns, StepValues, has_any
from console.sandbox.promql.syntax import Binary
from console.sandbox.promql.values import (
    ExecutionError,
    Labels,
    drop_labels,
    drop_name,
    get_label,
    keep_only,
    with_label,
)


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _modulo(a: float, b: float) -> float:
    return math.nan if b == 0 or math.isinf(a) else math.fmod(a, b)


def _power(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
    "%": _modulo,
    "^": _power,
}
COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
}


def scalar_op(op: str, a: float, b: float) -> float:
    """``a op b`` between scalars; comparisons (which need ``bool``) give 0 or 1."""
    if op in COMPARE:
        return 1.0 if COMPARE[op](a, b) else 0.0
    return ARITHMETIC[op](a, b)


def _element(op: str, a: float, b: float, return_bool: bool) -> float | None:
    """The value of ``a op b`` for one pair of elements, None when a comparison
    without ``bool`` drops it (a kept comparison gives ``a``)."""
    if op in COMPARE:
        hit = COMPARE[op](a, b)
        if return_bool:
            return 1.0 if hit else 0.0
        return a if hit else None
    return ARITHMETIC[op](a, b)


def vector_scalar(
    op: str, columns: Columns, scalars: Sequence[float], *, scalar_on_left: bool,
    return_bool: bool,
) -> Columns:
    """``vector op scalar`` (or ``scalar op vector``) with the scalar's value at each
    step. A comparison without ``bool`` filters and keeps the vector's value;
    arithmetic and ``bool`` drop the name."""
    out: Columns = []
    filters = op in COMPARE and not return_bool
    for column in columns:
        values: StepValues = []
        for v, s in zip(column.values, scalars, strict=True):
            if v is None:
                values.append(None)
                continue
            value = _element(op, s, v, return_bool) if scalar_on_left else _element(
                op, v, s, return_bool)
            values.append(v if filters and value is not None else value)
        if has_any(values):
            out.append(Column(column.labels if filters else drop_name(column.labels), values))
    return out


def _signature(labels: Labels, node: Binary) -> Labels:
    if node.on:
        return keep_only(labels, node.match_labels)
    return drop_labels(drop_name(labels), node.match_labels)


def _presence(columns: Columns, node: Binary, steps: int) -> dict[Labels, list[bool]]:
    """For each signature among ``columns``, whether some column of it has a value at
    each step."""
    out: dict[Labels, list[bool]] = {}
    for column in columns:
        present = out.setdefault(_signature(column.labels, node), [False] * steps)
        for i, v in enumerate(column.values):
            if v is not None:
                present[i] = True
    return out


def set_operation(node: Binary, lhs: Columns, rhs: Columns, steps: int) -> Columns:
    """``and``, ``or`` and ``unless`` matched on the label signature at each step."""
    other = _presence(rhs, node, steps)
    never = [False] * steps
    if node.op in ("and", "unless"):
        keep = node.op == "and"
        out: Columns = []
        for column in lhs:
            present = other.get(_signature(column.labels, node), never)
            values = [v if present[i] is keep else None for i, v in enumerate(column.values)]
            if has_any(values):
                out.append(Column(column.labels, values))
        return out
    mine = _presence(lhs, node, steps)
    out = list(lhs)
    for column in rhs:
        present = mine.get(_signature(column.labels, node), never)
        values = [None if present[i] else v for i, v in enumerate(column.values)]
        if has_any(values):
            out.append(Column(column.labels, values))
    return out


def _result_labels(node: Binary, many: Labels, one: Labels) -> Labels:
    labels = many
    if node.op not in COMPARE or node.return_bool:
        labels = drop_name(labels)
    if node.card == "one-to-one":
        if node.on:
            return keep_only(labels, node.match_labels)
        return drop_labels(labels, node.match_labels)
    for name in node.include:
        labels = with_label(labels, name, get_label(one, name))
    return labels


class _Errors:
    """The error Prometheus reports first: that of the earliest step, and within a
    step that of the earliest check, then of the earliest element."""

    def __init__(self) -> None:
        self.first: tuple[int, int, int, str] | None = None

    def add(self, step: int, check: int, position: int, message: str) -> None:
        found = (step, check, position, message)
        if self.first is None or found < self.first:
            self.first = found

    def raise_first(self) -> None:
        if self.first is not None:
            raise ExecutionError(self.first[3])


def vector_vector(node: Binary, lhs: Columns, rhs: Columns, steps: int) -> Columns:
    """``lhs op rhs`` between instant vectors at each step, with one-to-one,
    many-to-one (group_left) or one-to-many (group_right) matching. Raises
    ``ExecutionError`` when at some step the "one" side has duplicate signatures, a
    match is ambiguous or the result has two elements with the same labels."""
    swap = node.card == "one-to-many"
    many_side, one_side = (rhs, lhs) if swap else (lhs, rhs)
    errors = _Errors()
    ones: dict[Labels, list[Column | None]] = {}
    for position, column in enumerate(one_side):
        sig = _signature(column.labels, node)
        present = ones.setdefault(sig, [None] * steps)
        for i, v in enumerate(column.values):
            if v is None:
                continue
            if present[i] is not None:
                side = "left" if swap else "right"
                errors.add(i, 0, position, (
                    f"found duplicate series for the match group {_render(sig)} on the "
                    f"{side} hand-side of the operation; many-to-many matching not allowed: "
                    "matching labels must be unique on one side"))
            else:
                present[i] = column
    out: Columns = []
    matched: dict[Labels, list[bool]] = {}
    for position, many in enumerate(many_side):
        sig = _signature(many.labels, node)
        partners = ones.get(sig)
        if partners is None:
            continue
        taken = matched.setdefault(sig, [False] * steps)
        results: dict[int, Column] = {}
        for i, v in enumerate(many.values):
            one = partners[i]
            if v is None or one is None:
                continue
            if node.card == "one-to-one":
                if taken[i]:
                    errors.add(i, 1, position, (
                        "multiple matches for labels: many-to-one matching must be explicit "
                        f"(group_left/group_right) for {_render(sig)}"))
                    continue
                taken[i] = True
            u = one.values[i]
            assert u is not None
            value = _element(node.op, u, v, node.return_bool) if swap else _element(
                node.op, v, u, node.return_bool)
            if value is None:
                continue
            result = results.get(id(one))
            if result is None:
                result = results[id(one)] = Column(
                    _result_labels(node, many.labels, one.labels), [None] * steps)
            result.values[i] = value
        out.extend(results.values())
    _check_unique(out, steps, errors)
    errors.raise_first()
    return out


def _check_unique(columns: Columns, steps: int, errors: _Errors) -> None:
    """Note the steps at which two of ``columns`` with the same labels both have a value."""
    seen: dict[Labels, list[bool]] = {}
    for column in columns:
        present = seen.setdefault(column.labels, [False] * steps)
        for i, v in enumerate(column.values):
            if v is None:
                continue
            if present[i]:
                errors.add(i, 2, 0, "vector cannot contain metrics with the same labelset")
            present[i] = True


def _render(labels: Labels) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in labels) + "}"
