"""Parse PromQL with ``promql-parser`` and lower its AST into this engine's nodes.

The parser (a port of Prometheus's own grammar) does the parsing and the type
checking; lowering keeps only what the evaluator needs and refuses, with
Prometheus's ``bad_data`` error, the constructs this engine does not evaluate
(subqueries, ``@``, functions and aggregations outside its set).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import promql_parser as pp

from console.sandbox.promql.values import METRIC_NAME, BadData

Kind = Literal["scalar", "string", "vector", "matrix"]

#: Functions the engine evaluates, with the type each returns.
FUNCTIONS: dict[str, Kind] = {
    **dict.fromkeys(
        ("rate", "irate", "increase", "delta", "idelta", "avg_over_time", "min_over_time",
         "max_over_time", "sum_over_time", "count_over_time", "last_over_time",
         "stddev_over_time", "stdvar_over_time", "quantile_over_time", "histogram_quantile",
         "abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "clamp", "clamp_min",
         "clamp_max", "sort", "sort_desc", "vector"),
        "vector",
    ),
    "scalar": "scalar",
    "time": "scalar",
}

AGGREGATIONS = frozenset(
    {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk",
     "quantile"}
)
COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})
SET_OPERATORS = frozenset({"and", "or", "unless"})


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher; regexes are anchored at both ends, as Prometheus anchors them."""

    name: str
    op: Literal["=", "!=", "=~", "!~"]
    value: str
    pattern: re.Pattern[str] | None = None

    def matches(self, value: str) -> bool:
        """Whether a series whose label ``name`` is ``value`` ("" when absent) matches."""
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        assert self.pattern is not None
        found = self.pattern.fullmatch(value) is not None
        return found if self.op == "=~" else not found


@dataclass(frozen=True, slots=True, eq=False)
class Selector:
    """An instant vector selector; ``offset`` is in seconds. Compared by identity,
    so the evaluator can cache the series each selector fetched."""

    matchers: tuple[Matcher, ...]
    offset: float


@dataclass(frozen=True, slots=True)
class MatrixSelector:
    selector: Selector
    range: float


@dataclass(frozen=True, slots=True)
class NumberLiteral:
    value: float


@dataclass(frozen=True, slots=True)
class StringLiteral:
    value: str


@dataclass(frozen=True, slots=True)
class Negation:
    expr: Node


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Aggregate:
    """``op`` over ``expr`` grouped ``by`` (or ``without``) ``labels``."""

    op: str
    expr: Node
    param: Node | None
    labels: tuple[str, ...]
    without: bool


@dataclass(frozen=True, slots=True)
class Binary:
    """``lhs op rhs``. ``on`` is None without a matching clause; ``card`` is
    one-to-one, many-to-one (group_left), one-to-many (group_right) or many-to-many."""

    op: str
    lhs: Node
    rhs: Node
    return_bool: bool
    card: str
    on: bool | None
    match_labels: tuple[str, ...]
    include: tuple[str, ...]


Node = (
    Selector | MatrixSelector | NumberLiteral | StringLiteral | Negation | Call | Aggregate | Binary
)


def parse(query: str) -> Node:
    """The lowered AST of ``query``. Raises ``BadData`` for a syntax or type error,
    or for a construct this engine does not evaluate."""
    try:
        expr = pp.parse(query)
    except ValueError as exc:
        raise BadData(f"parse error: {exc}") from exc
    return _lower(expr)


def kind_of(node: Node) -> Kind:
    """The PromQL type ``node`` evaluates to."""
    match node:
        case NumberLiteral():
            return "scalar"
        case StringLiteral():
            return "string"
        case MatrixSelector():
            return "matrix"
        case Negation(expr):
            return kind_of(expr)
        case Call(name):
            return FUNCTIONS[name]
        case Binary(lhs=lhs, rhs=rhs):
            both_scalar = kind_of(lhs) == "scalar" and kind_of(rhs) == "scalar"
            return "scalar" if both_scalar else "vector"
        case _:
            return "vector"


# The parser's enums are not hashable; they are looked up by their str().
_MATCH_OPS: dict[str, Literal["=", "!=", "=~", "!~"]] = {
    "MatchOp.Equal": "=",
    "MatchOp.NotEqual": "!=",
    "MatchOp.Re": "=~",
    "MatchOp.NotRe": "!~",
}
_CARDS = {
    "VectorMatchCardinality.OneToOne": "one-to-one",
    "VectorMatchCardinality.ManyToOne": "many-to-one",
    "VectorMatchCardinality.OneToMany": "one-to-many",
    "VectorMatchCardinality.ManyToMany": "many-to-many",
}


def _unsupported(what: str) -> BadData:
    return BadData(f"{what} is not supported by the sandbox's PromQL engine")


def _lower(expr: Any) -> Node:
    if isinstance(expr, pp.ParenExpr):
        return _lower(expr.expr)
    if isinstance(expr, pp.NumberLiteral):
        return NumberLiteral(float(expr.val))
    if isinstance(expr, pp.StringLiteral):
        return StringLiteral(expr.val)
    if isinstance(expr, pp.VectorSelector):
        return _selector(expr)
    if isinstance(expr, pp.MatrixSelector):
        return MatrixSelector(_selector(expr.vector_selector), expr.range.total_seconds())
    if isinstance(expr, pp.UnaryExpr):
        return Negation(_lower(expr.expr))
    if isinstance(expr, pp.Call):
        name = expr.func.name
        if name not in FUNCTIONS:
            raise _unsupported(f"function {name!r}")
        return Call(name, tuple(_lower(a) for a in expr.args))
    if isinstance(expr, pp.AggregateExpr):
        return _aggregate(expr)
    if isinstance(expr, pp.BinaryExpr):
        return _binary(expr)
    if isinstance(expr, pp.SubqueryExpr):
        raise _unsupported("a subquery")
    raise _unsupported(type(expr).__name__)


def _selector(vs: Any) -> Selector:
    if vs.at is not None:
        raise _unsupported("the @ modifier")
    if vs.matchers.or_matchers:
        raise _unsupported("'or' inside a selector")
    matchers = []
    if vs.name:
        matchers.append(Matcher(METRIC_NAME, "=", vs.name))
    for m in vs.matchers.matchers:
        op = _MATCH_OPS[str(m.op)]
        pattern = None
        if op in ("=~", "!~"):
            try:
                pattern = re.compile(m.value)
            except re.error as exc:
                raise BadData(f"parse error: invalid regular expression {m.value!r}") from exc
        matchers.append(Matcher(m.name, op, m.value, pattern))
    offset = vs.offset.total_seconds() if vs.offset is not None else 0.0
    return Selector(tuple(matchers), offset)


def _aggregate(expr: Any) -> Aggregate:
    op = str(expr.op)
    if op not in AGGREGATIONS:
        raise _unsupported(f"aggregation {op!r}")
    modifier = expr.modifier
    labels = tuple(modifier.labels) if modifier is not None else ()
    without = modifier is not None and modifier.type == pp.AggModifierType.Without
    param = _lower(expr.param) if expr.param is not None else None
    return Aggregate(op, _lower(expr.expr), param, labels, without)


def _binary(expr: Any) -> Binary:
    op = str(expr.op)
    if op == "atan2":
        raise _unsupported("operator 'atan2'")
    mod = expr.modifier
    lhs, rhs = _lower(expr.lhs), _lower(expr.rhs)
    if mod is None:
        card = "many-to-many" if op in SET_OPERATORS else "one-to-one"
        return Binary(op, lhs, rhs, False, card, None, (), ())
    matching = mod.matching
    on = None if matching is None else matching.type == pp.LabelModifierType.Include
    if mod.fill_values.lhs is not None or mod.fill_values.rhs is not None:
        raise _unsupported("fill values in vector matching")
    return Binary(
        op,
        lhs,
        rhs,
        bool(mod.return_bool),
        _CARDS[str(mod.card)],
        on,
        tuple(matching.labels) if matching is not None else (),
        tuple(mod.group_labels or ()),
    )
