"""Metrics panels: per-deployment queries, legends, change detection, cursor reads."""

from __future__ import annotations

import pytest

from console.models import QueryResult, Series
from console.panels import (
    DEPLOYMENT_PANELS,
    OVERVIEW_PANELS,
    Panel,
    chart_series,
    digest,
    for_deployment,
    only_matching,
    series_name,
    value_at,
)
from console.sandbox.promql.syntax import parse


def result(*series: tuple[dict[str, str], tuple[tuple[float, float], ...]],
           warnings: tuple[str, ...] = ()) -> QueryResult:
    return QueryResult(result_type="matrix", warnings=warnings,
                       series=tuple(Series(labels=lb, points=pts) for lb, pts in series))


def test_the_deployment_set_has_the_six_panels_the_issue_names() -> None:
    titles = [p.title for p in DEPLOYMENT_PANELS]
    assert titles == ["Requests/s", "Error ratio (5xx)", "Latency p50", "Latency p99",
                      "GPU utilisation", "GPU memory used"]


def test_every_built_in_query_parses_as_promql() -> None:
    for panel in (*OVERVIEW_PANELS, *for_deployment(DEPLOYMENT_PANELS, "serving", "m-7b")):
        parse(panel.query)


def test_a_deployment_set_names_the_deployment_in_every_query_and_title() -> None:
    panels = for_deployment(DEPLOYMENT_PANELS, "serving", "mistral-7b-chat")
    assert all("$" not in p.query for p in panels)
    assert 'deployment="mistral-7b-chat"' in panels[0].query
    assert 'namespace="serving"' in panels[0].query
    assert panels[0].title == "Requests/s · mistral-7b-chat"


def test_a_name_inside_a_regex_matcher_is_regex_escaped() -> None:
    [panel] = for_deployment([Panel(title="t", query='up{pod=~"$deployment-.*"}')], "ns", "a.b")
    assert panel.query == r'up{pod=~"a\\.b-.*"}'
    parse(panel.query)


def test_braced_placeholders_are_filled_too() -> None:
    [panel] = for_deployment([Panel(title="t", query='up{namespace="${namespace}"}')], "x", "y")
    assert panel.query == 'up{namespace="x"}'


def test_a_legend_template_fills_labels_and_an_empty_one_lists_them() -> None:
    labels = {"__name__": "up", "pod": "p-1", "code": "500"}
    assert series_name("{{pod}} ({{ code }})", labels, "t") == "p-1 (500)"
    assert series_name("", labels, "t") == 'up{code="500", pod="p-1"}'
    assert series_name("", {}, "Requests") == "Requests"


def test_chart_series_are_named_by_the_panels_legend_and_sorted() -> None:
    panel = Panel(title="t", query="q", legend="{{code}}")
    lines = chart_series(panel, result(({"code": "500"}, ((1, 2),)), ({"code": "200"}, ())))
    assert [line.name for line in lines] == ["200", "500"]
    assert lines[0].last is None and lines[1].last == 2


def test_identical_data_has_the_same_digest_and_any_change_another() -> None:
    a = result(({"pod": "a"}, ((1.0, 2.0), (2.0, 3.0))))
    assert digest(a) == digest(result(({"pod": "a"}, ((1.0, 2.0), (2.0, 3.0)))))
    assert digest(a) != digest(result(({"pod": "a"}, ((1.0, 2.0), (2.0, 3.5)))))
    assert digest(a) != digest(result(({"pod": "b"}, ((1.0, 2.0), (2.0, 3.0)))))
    assert digest(a) != digest(result(({"pod": "a"}, ((1.0, 2.0), (2.0, 3.0))), warnings=("w",)))


@pytest.mark.parametrize(("t", "expected"), [(0.5, None), (1.0, 10.0), (2.9, 20.0), (9, 30.0)])
def test_the_value_at_a_time_is_the_last_point_not_after_it(t: float, expected: float) -> None:
    assert value_at(((1.0, 10.0), (2.0, 20.0), (3.0, 30.0)), t) == expected


def test_an_alerts_series_are_picked_out_of_its_expressions_answer() -> None:
    series = [Series(labels={"deployment": d, "track": "stable"}, points=()) for d in "ab"]
    chosen = only_matching(series, {"alertname": "X", "deployment": "b", "track": "stable"})
    assert [s.labels["deployment"] for s in chosen] == ["b"]
    assert only_matching(series, {"deployment": "zzz"}) == series


def test_a_focused_panel_draws_only_the_series_of_its_focus() -> None:
    panel = Panel(title="t", query="q", legend="{{deployment}}", focus={"deployment": "b"})
    lines = chart_series(panel, result(({"deployment": "a"}, ()), ({"deployment": "b"}, ())))
    assert [line.name for line in lines] == ["b"]
