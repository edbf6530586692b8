"""PromQL aggregations and binary operators, with Prometheus's vector matching."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable

from console.sandbox.promql.functions import quantile
from console.sandbox.promql.syntax import Binary
from console.sandbox.promql.values import (
    ExecutionError,
    Labels,
    Sample,
    Vector,
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


def _element(op: str, a: float, b: float, return_bool: bool) -> tuple[float, bool]:
    """The value of ``a op b`` for one pair of elements and whether it is kept."""
    if op in COMPARE:
        hit = COMPARE[op](a, b)
        if return_bool:
            return (1.0 if hit else 0.0), True
        return a, hit
    return ARITHMETIC[op](a, b), True


def vector_scalar(
    op: str, vector: Vector, scalar: float, *, scalar_on_left: bool, return_bool: bool
) -> Vector:
    """``vector op scalar`` (or ``scalar op vector``). A comparison without ``bool``
    filters and keeps the vector's value; arithmetic and ``bool`` drop the name."""
    out: Vector = []
    drop = op not in COMPARE or return_bool
    for s in vector:
        a, b = (scalar, s.value) if scalar_on_left else (s.value, scalar)
        value, keep = _element(op, a, b, return_bool)
        if not keep:
            continue
        if op in COMPARE and not return_bool:
            value = s.value
        out.append(Sample(drop_name(s.labels) if drop else s.labels, value))
    return out


def _signature(labels: Labels, node: Binary) -> Labels:
    if node.on:
        return keep_only(labels, node.match_labels)
    return drop_labels(drop_name(labels), node.match_labels)


def set_operation(node: Binary, lhs: Vector, rhs: Vector) -> Vector:
    """``and``, ``or`` and ``unless`` matched on the label signature."""
    rhs_sigs = {_signature(s.labels, node) for s in rhs}
    if node.op == "and":
        return [s for s in lhs if _signature(s.labels, node) in rhs_sigs]
    if node.op == "unless":
        return [s for s in lhs if _signature(s.labels, node) not in rhs_sigs]
    lhs_sigs = {_signature(s.labels, node) for s in lhs}
    return lhs + [s for s in rhs if _signature(s.labels, node) not in lhs_sigs]


def _result_labels(node: Binary, many: Sample, one: Sample) -> Labels:
    labels = many.labels
    if node.op not in COMPARE or node.return_bool:
        labels = drop_name(labels)
    if node.card == "one-to-one":
        if node.on:
            return keep_only(labels, node.match_labels)
        return drop_labels(labels, node.match_labels)
    for name in node.include:
        labels = with_label(labels, name, get_label(one.labels, name))
    return labels


def vector_vector(node: Binary, lhs: Vector, rhs: Vector) -> Vector:
    """``lhs op rhs`` between instant vectors with one-to-one, many-to-one
    (group_left) or one-to-many (group_right) matching. Raises ``ExecutionError``
    when the "one" side has duplicate signatures or a match is ambiguous."""
    swap = node.card == "one-to-many"
    many_side, one_side = (rhs, lhs) if swap else (lhs, rhs)
    ones: dict[Labels, Sample] = {}
    for s in one_side:
        sig = _signature(s.labels, node)
        if sig in ones:
            side = "left" if swap else "right"
            raise ExecutionError(
                f"found duplicate series for the match group {_render(sig)} on the {side} "
                "hand-side of the operation; many-to-many matching not allowed: matching "
                "labels must be unique on one side"
            )
        ones[sig] = s
    out: Vector = []
    matched: set[Labels] = set()
    for many in many_side:
        sig = _signature(many.labels, node)
        one = ones.get(sig)
        if one is None:
            continue
        if node.card == "one-to-one":
            if sig in matched:
                raise ExecutionError(
                    "multiple matches for labels: many-to-one matching must be explicit "
                    f"(group_left/group_right) for {_render(sig)}"
                )
            matched.add(sig)
        a, b = (one.value, many.value) if swap else (many.value, one.value)
        value, keep = _element(node.op, a, b, node.return_bool)
        if not keep:
            continue
        out.append(Sample(_result_labels(node, many, one), value))
    if len({s.labels for s in out}) != len(out):
        raise ExecutionError("vector cannot contain metrics with the same labelset")
    return out


def _render(labels: Labels) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in labels) + "}"


def aggregate(
    op: str, vector: Vector, labels: tuple[str, ...], without: bool, param: float | None
) -> Vector:
    """``op by/without (labels) (vector)``; ``param`` is topk/bottomk's k or
    quantile's q. topk/bottomk keep each chosen series' own labels."""
    groups: dict[Labels, list[Sample]] = defaultdict(list)
    for s in vector:
        key = drop_labels(drop_name(s.labels), labels) if without else keep_only(s.labels, labels)
        groups[key].append(s)
    if op in ("topk", "bottomk"):
        k = int(param or 0)
        out: Vector = []
        for members in groups.values():
            ranked = sorted(members, key=lambda s: _rank(s.value, op == "topk"))
            out.extend(ranked[: max(k, 0)])
        return out
    return [Sample(key, _fold(op, [s.value for s in ms], param)) for key, ms in groups.items()]


def _rank(value: float, descending: bool) -> tuple[bool, float]:
    if math.isnan(value):
        return True, 0.0
    return False, -value if descending else value


def _fold(op: str, values: list[float], param: float | None) -> float:
    if op == "sum":
        return math.fsum(values)
    if op == "avg":
        return statistics.fmean(values)
    if op == "count":
        return float(len(values))
    if op == "group":
        return 1.0
    if op in ("min", "max"):
        finite = [v for v in values if not math.isnan(v)]
        if not finite:
            return math.nan
        return min(finite) if op == "min" else max(finite)
    if op in ("stddev", "stdvar"):
        variance = statistics.pvariance(values)
        return math.sqrt(variance) if op == "stddev" else variance
    return quantile(param if param is not None else math.nan, values)
