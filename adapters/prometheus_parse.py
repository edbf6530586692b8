"""Prometheus HTTP API JSON into the console's models, and the range-query step.

Pure functions: no transport, no SDK. ``adapters.prometheus`` feeds them the
``data`` of successful responses.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from adapters.base import InvalidRequest
from console.models import Alert, AlertRule, QueryResult, Series

#: Prometheus refuses range queries with more points per series than this.
PROMETHEUS_MAX_POINTS = 11_000
#: Steps a range query may use, in seconds: readable on an axis, and cache-friendly.
NICE_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
              43200, 86400)


def choose_step(start: float, end: float, max_points: int) -> float:
    """The smallest nice step (whole seconds) that keeps a series of the range
    [start, end] within ``max_points`` points and Prometheus's 11,000.

    Raises ``InvalidRequest`` when ``end`` is before ``start`` or ``max_points`` < 2.
    """
    if end < start:
        raise InvalidRequest("the range ends before it starts", title="bad_data")
    limit = min(max_points, PROMETHEUS_MAX_POINTS)
    if limit < 2:
        raise InvalidRequest(f"max_points must be at least 2, not {max_points}",
                             title="bad_data")
    raw = max(math.ceil((end - start) / (limit - 1)), 1)
    for step in NICE_STEPS:
        if step >= raw:
            return float(step)
    days = math.ceil(raw / 86400)
    return float(days * 86400)


def _float(text: Any) -> float:
    return float(text)


def query_result(data: dict[str, Any], warnings: list[str], step: float | None = None
                 ) -> QueryResult:
    """A ``QueryResult`` from a query's ``data`` (vector, matrix, scalar or string)."""
    kind = data.get("resultType", "")
    result = data.get("result")
    series: list[Series] = []
    if kind == "vector":
        for item in result or ():
            t, v = item["value"]
            series.append(Series(labels=item.get("metric", {}),
                                 points=((float(t), _float(v)),)))
    elif kind == "matrix":
        for item in result or ():
            series.append(Series(labels=item.get("metric", {}),
                                 points=tuple((float(t), _float(v)) for t, v in item["values"])))
    elif kind == "scalar" and result:
        series.append(Series(labels={}, points=((float(result[0]), _float(result[1])),)))
    return QueryResult(result_type=kind, series=tuple(series), warnings=tuple(warnings),
                       step=step)


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    # Prometheus writes nanoseconds; Python parses at most microseconds.
    head, dot, tail = text.partition(".")
    if dot:
        digits = "".join(c for c in tail if c.isdigit())
        zone = tail[len(digits):]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def alert(item: dict[str, Any]) -> Alert:
    """One alert of ``/api/v1/alerts`` (or of a rule's ``alerts``)."""
    labels = dict(item.get("labels", {}))
    state = item.get("state", "inactive")
    return Alert(
        name=labels.get("alertname", ""),
        state=state if state in ("firing", "pending") else "inactive",
        severity=labels.get("severity", ""),
        labels=labels,
        annotations=dict(item.get("annotations", {})),
        active_at=_time(item.get("activeAt")),
        value=str(item.get("value", "")),
    )


def alert_rules(data: dict[str, Any]) -> list[AlertRule]:
    """The alerting rules of ``/api/v1/rules`` (recording rules are skipped)."""
    out: list[AlertRule] = []
    for group in data.get("groups", ()):
        for rule in group.get("rules", ()):
            if rule.get("type") != "alerting":
                continue
            out.append(AlertRule(
                name=rule.get("name", ""),
                group=group.get("name", ""),
                expr=rule.get("query", ""),
                duration=float(rule.get("duration", 0) or 0),
                labels=dict(rule.get("labels") or {}),
                annotations=dict(rule.get("annotations") or {}),
                state=rule.get("state", "inactive"),
            ))
    return out
