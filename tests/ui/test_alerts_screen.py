"""The Alerts screen over the served sandbox: the bad rollout's alert is firing, and
``enter`` charts its expression over the last hour with its threshold."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from console.sandbox.server import ThreadedSandbox
from screens.alerts import AlertsScreen
from screens.metrics import MetricsScreen
from screens.widgets.chart_panel import ChartPanel
from screens.widgets.resource_table import ResourceTable
from tests.ui.conftest import screen_text, wait_for
from tests.ui.metrics_support import closed_port_url, sandbox_app

ERROR_ALERT = "ModelServerHighErrorRate"


def alerts_table(app: object) -> ResourceTable:  # type: ignore[type-arg]
    return app.screen.query_one("#alerts", ResourceTable)  # type: ignore[attr-defined]


def error_alert_key(app: object) -> str | None:
    table = alerts_table(app)
    return next((k for k in table.row_keys if f"alertname={ERROR_ALERT}," in k), None)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_bad_rollouts_alert_is_listed_firing_and_critical(
    sandbox: ThreadedSandbox, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
        await wait_for(pilot, lambda: error_alert_key(app) is not None, timeout=15)
        key = error_alert_key(app)
        assert key is not None
        state, severity, name, *_ = alerts_table(app).cell_texts(key)
        assert (state, severity, name) == ("firing", "critical", ERROR_ALERT)
        assert alerts_table(app).row_keys[0] == key  # firing + critical sorts first
        assert "firing" in screen_text(app)


async def test_enter_charts_the_alerts_expression_with_its_threshold(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: error_alert_key(app) is not None, timeout=15)
        key = error_alert_key(app)
        assert key is not None
        alerts_table(app).move_cursor(key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MetricsScreen), timeout=10)
        screen = app.screen
        assert isinstance(screen, MetricsScreen)
        [chart] = screen.query(ChartPanel).results(ChartPanel)
        assert chart.panel.thresholds == (0.05,) and ">" not in chart.panel.query
        assert screen.range_seconds == 3600
        await wait_for(pilot, lambda: chart.has_data, timeout=15)
        legend = str(chart.query_one("#legend").render())
        assert "mistral-7b-chat" in legend and "0.05" in legend
        await pilot.press("escape")
        assert isinstance(app.screen, AlertsScreen)


async def test_a_down_prometheus_is_said_above_the_alerts(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path, prometheus_url=closed_port_url())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: "Prometheus unavailable" in screen_text(app), timeout=10)


async def test_the_alert_under_the_cursor_is_detailed_with_its_runbook_at_80x24(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: error_alert_key(app) is not None, timeout=15)
        key = error_alert_key(app)
        assert key is not None
        alerts_table(app).move_cursor(key)
        await wait_for(pilot, lambda: "runbook: https://runbooks.acme.ai" in screen_text(app))
        text = screen_text(app)
        assert f"{ERROR_ALERT} · critical · firing since" in text
        assert "deployment=mistral-7b-chat namespace=serving" in text
        assert "LABELS" not in text  # at 80 columns the labels live in the detail only
        # Another alert under the cursor: the detail follows it.
        other = next(k for k in alerts_table(app).row_keys if "alertname=PodCrashLooping" in k)
        alerts_table(app).move_cursor(other)
        await wait_for(pilot, lambda: "PodCrashLooping · warning" in screen_text(app))
        # The address is longer than the line: it folds onto the next one, whole.
        assert " https://runbooks.prometheus-operator.dev/runbooks/kube" in screen_text(app)
        detail = str(app.screen.query_one("#detail", Static).render())
        assert "runbooks/kubernetes/kubepodcrashlooping" in detail  # whole, though wrapped
        assert "high-error-rate" not in detail
