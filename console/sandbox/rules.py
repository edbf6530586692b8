"""The sandbox's alerting rules, evaluated by the sandbox's own PromQL engine.

Evaluation is lazy: whenever alerts or rules are asked for, every evaluation
that fell due since the last one is run (one range query per rule), stepping
each alert through pending and firing exactly as Prometheus's rule manager
does. The first call looks back far enough for every ``for`` to have elapsed,
so an alert that the backfilled history justifies is already firing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from console.sandbox.promql import Engine, Labels
from console.sandbox.promql.values import drop_name

INTERVAL = 15.0


@dataclass(frozen=True, slots=True)
class AlertingRule:
    """One alerting rule, as written in a Prometheus rule file."""

    name: str
    expr: str
    duration: float
    labels: dict[str, str]
    annotations: dict[str, str]


GROUPS: dict[str, tuple[AlertingRule, ...]] = {
    "model-serving": (
        AlertingRule(
            "ModelServerHighErrorRate",
            'sum by (namespace, deployment, track) (rate(model_requests_total{code=~"5.."}[5m]))'
            " / sum by (namespace, deployment, track) (rate(model_requests_total[5m])) > 0.05",
            120.0,
            {"severity": "critical"},
            {"summary": "{{ $labels.deployment }} ({{ $labels.track }}) answers "
                        "{{ $value | humanizePercentage }} of requests with 5xx",
             "runbook_url": "https://runbooks.acme.ai/model-serving/high-error-rate"},
        ),
        AlertingRule(
            "ModelServerHighLatency",
            "histogram_quantile(0.99, sum by (namespace, deployment, track, le) "
            "(rate(model_request_duration_seconds_bucket[5m]))) > 2.5",
            300.0,
            {"severity": "warning"},
            {"summary": "p99 latency of {{ $labels.deployment }} ({{ $labels.track }}) is "
                        "{{ $value | humanize }}s"},
        ),
    ),
    "gpu": (
        AlertingRule(
            "GpuAllocatedButIdle",
            'avg_over_time(DCGM_FI_DEV_GPU_UTIL{pod!=""}[10m]) < 5 or '
            'avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE{pod!=""}[10m]) * 100 < 5',
            600.0,
            {"severity": "warning"},
            {"summary": "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is held by "
                        "{{ $labels.namespace }}/{{ $labels.pod }} but {{ $value | humanize }}% "
                        "busy"},
        ),
    ),
    "kubernetes": (
        AlertingRule(
            "PodCrashLooping",
            'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}'
            "[5m]) >= 1",
            300.0,
            {"severity": "warning"},
            {"summary": "Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }})"
                        " is in CrashLoopBackOff"},
        ),
        AlertingRule(
            "KubeDeploymentReplicasMismatch",
            "kube_deployment_spec_replicas != kube_deployment_status_replicas_available",
            600.0,
            {"severity": "warning"},
            {"summary": "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has not "
                        "matched its expected number of replicas for 10 minutes"},
        ),
    ),
}


@dataclass(slots=True)
class ActiveAlert:
    """An alert of one rule for one label set, pending or firing."""

    labels: dict[str, str]
    active_at: float
    value: float
    firing: bool = False


@dataclass(slots=True)
class _RuleState:
    rule: AlertingRule
    group: str
    active: dict[Labels, ActiveAlert] = field(default_factory=dict)
    health: str = "unknown"
    error: str = ""


class RuleEvaluator:
    """Evaluates ``GROUPS`` with ``engine`` on the ``clock``'s simulated time."""

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self.engine = engine
        self.clock = clock
        self._rules = [_RuleState(r, g) for g, rules in GROUPS.items() for r in rules]
        #: How far back an evaluation can matter: the longest ``for`` and a margin.
        self._horizon = max(s.rule.duration for s in self._rules) + 2 * INTERVAL
        self._last = _align(clock()) - self._horizon

    def catch_up(self) -> None:
        """Run every evaluation due since the last one (bounded to the longest ``for``)."""
        now = _align(self.clock())
        if now <= self._last:
            return
        first = max(self._last + INTERVAL, now - self._horizon)
        for state in self._rules:
            try:
                matrix = self.engine.range(state.rule.expr, first, now, INTERVAL)
            except Exception as exc:
                state.health, state.error = "err", str(exc)
                continue
            state.health, state.error = "ok", ""
            by_step: dict[float, dict[Labels, float]] = {}
            for series in matrix:
                for t, v in series.points:
                    by_step.setdefault(t, {})[series.labels] = v
            steps = round((now - first) / INTERVAL) + 1
            for i in range(steps):
                t = first + i * INTERVAL
                _step(state, t, by_step.get(t, {}))
        self._last = now

    def alerts(self) -> list[dict[str, Any]]:
        """Pending and firing alerts in ``/api/v1/alerts``'s shape."""
        self.catch_up()
        return [_alert_json(s.rule, a) for s in self._rules for a in s.active.values()]

    def groups(self) -> list[dict[str, Any]]:
        """Rule groups in ``/api/v1/rules``'s shape."""
        self.catch_up()
        last = _rfc3339(self._last)
        out: list[dict[str, Any]] = []
        for name in GROUPS:
            rules = []
            for s in (s for s in self._rules if s.group == name):
                firing = any(a.firing for a in s.active.values())
                rules.append({
                    "state": "firing" if firing else "pending" if s.active else "inactive",
                    "name": s.rule.name,
                    "query": s.rule.expr,
                    "duration": s.rule.duration,
                    "keepFiringFor": 0,
                    "labels": s.rule.labels,
                    "annotations": s.rule.annotations,
                    "alerts": [_alert_json(s.rule, a) for a in s.active.values()],
                    "health": s.health,
                    **({"lastError": s.error} if s.error else {}),
                    "evaluationTime": 0.0,
                    "lastEvaluation": last,
                    "type": "alerting",
                })
            out.append({"name": name, "file": "/etc/prometheus/rules/sandbox.yaml",
                        "rules": rules, "interval": INTERVAL, "limit": 0,
                        "evaluationTime": 0.0, "lastEvaluation": last})
        return out


def _step(state: _RuleState, t: float, result: dict[Labels, float]) -> None:
    """One evaluation at ``t``: resolve alerts whose series left the result, start
    new ones pending, and fire those pending for the rule's ``for``."""
    rule = state.rule
    for key in [k for k in state.active if k not in result]:
        del state.active[key]
    for labels, value in result.items():
        alert = state.active.get(labels)
        if alert is None:
            alert_labels = {**dict(drop_name(labels)), **rule.labels, "alertname": rule.name}
            alert = state.active[labels] = ActiveAlert(alert_labels, t, value)
        alert.value = value
        alert.firing = alert.firing or t - alert.active_at >= rule.duration


def _alert_json(rule: AlertingRule, alert: ActiveAlert) -> dict[str, Any]:
    return {
        "labels": alert.labels,
        "annotations": {k: _expand(v, alert) for k, v in rule.annotations.items()},
        "state": "firing" if alert.firing else "pending",
        "activeAt": _rfc3339(alert.active_at),
        "value": _go_exp(alert.value),
    }


_TEMPLATE = re.compile(r"\{\{\s*\$(labels\.(\w+)|value)\s*(?:\|\s*(\w+)\s*)?\}\}")


def _expand(text: str, alert: ActiveAlert) -> str:
    """Expand the ``{{ $labels.x }}`` and ``{{ $value | fn }}`` templates rules use."""

    def one(m: re.Match[str]) -> str:
        if m[2]:
            return alert.labels.get(m[2], "")
        if m[3] == "humanizePercentage":
            return f"{alert.value * 100:.4g}%"
        if m[3] == "humanize":
            return f"{alert.value:.4g}"
        return repr(alert.value)

    return _TEMPLATE.sub(one, text)


def _go_exp(value: float) -> str:
    """``value`` as Go's ``FormatFloat(v, 'e', -1, 64)`` writes it (``2.1e-01``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    for digits in range(17):
        text = f"{value:.{digits}e}"
        if float(text) == value:
            return text
    return f"{value:.16e}"


def _rfc3339(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _align(t: float) -> float:
    return math.floor(t / INTERVAL) * INTERVAL
