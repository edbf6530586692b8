"""The values a PromQL expression evaluates to, and the errors evaluation raises.

Labels are kept as sorted tuples of ``(name, value)`` pairs so they hash and
compare cheaply; ``__name__`` is an ordinary label among them, as in Prometheus.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

Labels = tuple[tuple[str, str], ...]

METRIC_NAME = "__name__"


class PromQLError(Exception):
    """An error Prometheus would report; ``error_type`` and ``status`` are what its
    HTTP API answers with (``bad_data``/400, ``execution``/422, ``timeout``/503)."""

    error_type = "bad_data"
    status = 400


class BadData(PromQLError):
    """The query or a parameter is malformed or uses what this engine does not support."""


class ExecutionError(PromQLError):
    """The query is well formed but cannot be evaluated (e.g. ambiguous matching)."""

    error_type = "execution"
    status = 422


class QueryTimeout(PromQLError):
    """Evaluation ran past the engine's deadline."""

    error_type = "timeout"
    status = 503


def labels_of(mapping: Mapping[str, str]) -> Labels:
    """The sorted-tuple form of a label mapping, without empty values."""
    pairs = [pair for pair in mapping.items() if pair[1] != ""]
    pairs.sort()
    return tuple(pairs)


def drop_name(labels: Labels) -> Labels:
    """``labels`` without ``__name__``."""
    return tuple(p for p in labels if p[0] != METRIC_NAME)


def keep_only(labels: Labels, names: Iterable[str]) -> Labels:
    """Only the labels whose names are in ``names``."""
    wanted = set(names)
    return tuple(p for p in labels if p[0] in wanted)


def drop_labels(labels: Labels, names: Iterable[str]) -> Labels:
    """``labels`` without those named in ``names``."""
    unwanted = set(names)
    return tuple(p for p in labels if p[0] not in unwanted)


def get_label(labels: Labels, name: str) -> str:
    """The value of label ``name``, or "" when absent."""
    for k, v in labels:
        if k == name:
            return v
    return ""


def with_label(labels: Labels, name: str, value: str) -> Labels:
    """``labels`` with ``name`` set to ``value`` (removed when ``value`` is empty)."""
    rest = [p for p in labels if p[0] != name]
    if value:
        rest.append((name, value))
    return tuple(sorted(rest))


@dataclass(frozen=True, slots=True)
class Scalar:
    """A single number."""

    value: float


@dataclass(frozen=True, slots=True)
class String:
    """A string literal."""

    value: str


@dataclass(frozen=True, slots=True)
class Sample:
    """One element of an instant vector (its time is the evaluation time)."""

    labels: Labels
    value: float


@dataclass(slots=True)
class RangeSeries:
    """One element of a range vector: the samples of one series, oldest first."""

    labels: Labels
    points: list[tuple[float, float]] = field(default_factory=list)


Vector = list[Sample]
Matrix = list[RangeSeries]
Value = Scalar | String | Vector | Matrix


def format_value(value: float) -> str:
    """A float as Prometheus writes it in JSON (Go's ``FormatFloat(v, 'f', -1)``):
    shortest exact digits, no exponent, ``+Inf``/``-Inf``/``NaN`` spelled out."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return format(Decimal(repr(value)), "f")

