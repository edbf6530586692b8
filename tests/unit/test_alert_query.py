"""An alerting rule's expression split into the charted quantity and its threshold."""

from __future__ import annotations

import pytest

from console.alert_query import alert_panel, split_threshold
from console.models import Alert, AlertRule
from console.sandbox.rules import GROUPS

ERROR_RATE = next(r for r in GROUPS["model-serving"] if r.name == "ModelServerHighErrorRate")
IDLE = GROUPS["gpu"][0]


def test_a_comparison_with_a_number_splits_into_quantity_and_threshold() -> None:
    query, threshold = split_threshold(ERROR_RATE.expr)
    assert threshold == 0.05
    assert query.startswith("sum by (namespace, deployment, track) (rate(")
    assert query.endswith('(rate(model_requests_total[5m]))') and ">" not in query


def test_an_or_of_comparisons_with_one_threshold_keeps_both_sides() -> None:
    query, threshold = split_threshold(IDLE.expr)
    assert threshold == 5
    assert query == ('avg_over_time(DCGM_FI_DEV_GPU_UTIL{pod!=""}[10m]) or '
                     'avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE{pod!=""}[10m]) * 100')


@pytest.mark.parametrize("expr", [
    "kube_deployment_spec_replicas != kube_deployment_status_replicas_available",
    "a > 1 and b > 1",
    "a > 1 or b > 2",
    "a > (1 + 2)",
    'up{job=~"a|b", x!="1"}',
])
def test_an_expression_without_a_single_numeric_threshold_is_charted_whole(expr: str) -> None:
    assert split_threshold(expr) == (expr, None)


def test_comparisons_inside_brackets_and_strings_are_not_the_top_level() -> None:
    assert split_threshold('count(x{a=">5"} > 3) >= bool 2') == ('count(x{a=">5"} > 3)', 2.0)


def test_an_alerts_panel_focuses_on_its_own_series() -> None:
    rule = AlertRule(name=ERROR_RATE.name, group="g", expr=ERROR_RATE.expr,
                     labels={"severity": "critical"})
    alert = Alert(name=rule.name, state="firing", labels={
        "alertname": rule.name, "severity": "critical", "namespace": "serving",
        "deployment": "mistral-7b-chat", "track": "stable"})
    panel = alert_panel(alert, rule)
    assert panel.thresholds == (0.05,)
    assert panel.focus == {"namespace": "serving", "deployment": "mistral-7b-chat",
                           "track": "stable"}
