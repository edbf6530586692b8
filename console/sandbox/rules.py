"""The sandbox's alerting rules, evaluated by the sandbox's own PromQL engine.

Evaluation is lazy: whenever alerts or rules are asked for, the evaluations
that fell due since the last one are run, stepping each alert through pending
and firing as Prometheus's rule manager does. The first call looks back far
enough for every ``for`` to have elapsed, so an alert that the backfilled
history justifies is already firing.

Replaying every 15-second evaluation of that look-back (some 40 per rule) took
seconds of CPU on the sandbox's loop, so a long catch-up reconstructs the state
instead: the rule is evaluated on a coarse grid ending now (which alerts are
active, and how far back each has been) and, where an alert began between two
grid points, at a few bisecting instants (exactly when). An
absence shorter than the coarse step between two points where the series is
present goes unseen; short catch-ups, the steady state, replay every step.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from console.sandbox.promql import Engine, Labels, Sample, Value
from console.sandbox.promql.values import drop_name

INTERVAL = 15.0
#: A catch-up of fewer evaluations than this replays each one; longer ones reconstruct.
REPLAY_LIMIT = 8
#: Step of a reconstruction's coarse scan (a whole number of intervals).
COARSE_STEP = 8 * INTERVAL


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
                        "{{ $value | humanize }}s",
             "runbook_url": "https://runbooks.acme.ai/model-serving/high-latency"},
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
                        "busy",
             "runbook_url": "https://runbooks.acme.ai/gpu/allocated-but-idle"},
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
                        " is in CrashLoopBackOff",
             "runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/"
                            "kubepodcrashlooping"},
        ),
        AlertingRule(
            "KubeDeploymentReplicasMismatch",
            "kube_deployment_spec_replicas != kube_deployment_status_replicas_available",
            600.0,
            {"severity": "warning"},
            {"summary": "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has not "
                        "matched its expected number of replicas for 10 minutes",
             "runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/"
                            "kubedeploymentreplicasmismatch"},
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
        """Bring every rule's alerts up to now (looking back at most the longest
        ``for``): replay the evaluations due since the last one when they are few,
        else reconstruct the state. A rule whose query fails gets health ``err``."""
        now = _align(self.clock())
        if now <= self._last:
            return
        first = max(self._last + INTERVAL, now - self._horizon)
        replay = (now - first) / INTERVAL < REPLAY_LIMIT
        for state in self._rules:
            try:
                if replay:
                    self._replay(state, first, now)
                else:
                    self._reconstruct(state, first, now)
            except Exception as exc:
                state.health, state.error = "err", str(exc)
                continue
            state.health, state.error = "ok", ""
        self._last = now

    def _replay(self, state: _RuleState, first: float, now: float) -> None:
        """Run each evaluation from ``first`` to ``now`` (one range query)."""
        matrix = self.engine.range(state.rule.expr, first, now, INTERVAL)
        by_step: dict[float, dict[Labels, float]] = {}
        for series in matrix:
            for t, v in series.points:
                by_step.setdefault(t, {})[series.labels] = v
        for i in range(round((now - first) / INTERVAL) + 1):
            t = first + i * INTERVAL
            _step(state, t, by_step.get(t, {}))

    def _reconstruct(self, state: _RuleState, first: float, now: float) -> None:
        """Set the rule's alerts to those active at ``now``, each active since the
        evaluation that began its current run (``first`` at the earliest; an alert
        already known and never seen absent keeps its own start)."""
        rule = state.rule
        steps = math.ceil((now - first) / COARSE_STEP)
        grid = [now - k * COARSE_STEP for k in range(steps, 0, -1)]
        known, state.active = state.active, {}
        for series in self.engine.range(rule.expr, grid[0], now, COARSE_STEP):
            values = dict(series.points)
            if now not in values:
                continue
            absent = [t for t in grid if t not in values]
            if absent:
                run = self._run_start(rule.expr, series.labels, absent[-1], now, values)
                start = max(run, first)
            else:
                start = known[series.labels].active_at if series.labels in known else first
            labels = {**dict(drop_name(series.labels)), **rule.labels, "alertname": rule.name}
            alert = ActiveAlert(labels, start, values[now])
            alert.firing = now - start >= rule.duration
            state.active[series.labels] = alert

    def _run_start(self, expr: str, labels: Labels, absent: float, now: float,
                   present: dict[float, float]) -> float:
        """The first evaluation after ``absent`` from which ``labels`` stayed in
        ``expr``'s result until ``now``, found by bisecting on the interval grid."""
        lo = absent
        hi = min((t for t in present if t > absent), default=now)
        while hi - lo > INTERVAL:
            mid = lo + (hi - lo) // (2 * INTERVAL) * INTERVAL
            if labels in self._result(expr, mid):
                hi = mid
            else:
                lo = mid
        return hi

    def _result(self, expr: str, t: float) -> dict[Labels, float]:
        """``expr``'s instant vector at ``t`` as labels -> value."""
        value: Value = self.engine.instant(expr, t)
        samples = value if isinstance(value, list) else []
        return {s.labels: s.value for s in samples if isinstance(s, Sample)}

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
