"""A PromQL engine for the sandbox: queries parsed by ``promql-parser`` (a port of
Prometheus's grammar) and evaluated with Prometheus's semantics over any
``SeriesSource``."""

from console.sandbox.promql.engine import MAX_POINTS, Engine
from console.sandbox.promql.source import SeriesSource, StoredSeries
from console.sandbox.promql.syntax import Matcher
from console.sandbox.promql.values import (
    BadData,
    ExecutionError,
    Labels,
    Matrix,
    PromQLError,
    QueryTimeout,
    RangeSeries,
    Sample,
    Scalar,
    String,
    Value,
    Vector,
    format_value,
    labels_of,
)

__all__ = [
    "MAX_POINTS",
    "BadData",
    "Engine",
    "ExecutionError",
    "Labels",
    "Matcher",
    "Matrix",
    "PromQLError",
    "QueryTimeout",
    "RangeSeries",
    "Sample",
    "Scalar",
    "SeriesSource",
    "StoredSeries",
    "String",
    "Value",
    "Vector",
    "format_value",
    "labels_of",
]
