"""The Metrics screen over the served sandbox: charts with data, the ad-hoc PromQL
prompt, time ranges, full screen, the cursor, and a Prometheus that is down."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from console.sandbox.server import ThreadedSandbox
from screens.metrics import MetricsScreen
from screens.widgets.chart_panel import ChartPanel
from tests.ui.conftest import screen_text, wait_for
from tests.ui.metrics_support import closed_port_url, sandbox_app


def metrics(app: object) -> MetricsScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, MetricsScreen)
    return screen


async def open_metrics(app: App[None], pilot: Pilot[None]) -> MetricsScreen:
    """Press the Metrics area's key and return its screen once it is shown."""
    await pilot.press("2")
    await wait_for(pilot, lambda: isinstance(app.screen, MetricsScreen))
    return metrics(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_metrics_area_shows_six_charts_with_data(
    sandbox: ThreadedSandbox, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=size) as pilot:
        await open_metrics(app, pilot)
        charts = metrics(app).charts
        assert len(charts) == 6
        await wait_for(pilot, lambda: all(c.has_data for c in charts), timeout=15)
        assert "Requests/s by deployment" in screen_text(app)
        # The error-ratio legend leads with its threshold, then the worst deployment
        # (the bad rollout), however many others there are.
        errors = str(charts[1].query_one("#legend").render())
        assert errors.startswith("┄ 5%  ━ mistral-7b-chat 2"), errors
        assert "more" in str(charts[0].query_one("#legend").render())  # 14 never fit


async def test_a_bad_ad_hoc_query_shows_prometheus_error_type_and_message(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_metrics(app, pilot)
        await pilot.press("colon")
        for key in "sum(rate(":
            await pilot.press(key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app.screen.query("#adhoc")))
        adhoc = app.screen.query_one("#adhoc", ChartPanel)
        await wait_for(pilot, lambda: adhoc.has_class("-error"), timeout=10)
        message = str(adhoc.query_one("#message").render())
        assert message.startswith("bad_data: ") and "parse error" in message
        await wait_for(pilot, lambda: "bad_data" in screen_text(app))  # painted, not only set


async def test_the_prompt_recalls_earlier_queries_with_up(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_metrics(app, pilot)
        for query in ("up", "vector(1)"):
            await pilot.press("colon", *query, "enter")
            await pilot.pause()
        await pilot.press("colon", "up")
        prompt = app.screen.query_one("#promql")
        assert prompt.value == "vector(1)"  # type: ignore[attr-defined]
        await pilot.press("up")
        assert prompt.value == "up"  # type: ignore[attr-defined]


async def test_a_custom_range_is_applied_and_a_bad_one_explained(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_metrics(app, pilot)
        await pilot.press("t")
        assert screen.range_seconds == 6 * 3600
        await pilot.press("T", "ctrl+u", *"2 hours", "enter")
        await wait_for(pilot, lambda: bool(app._notifications))
        assert any("cannot read" in n.message for n in app._notifications)
        await pilot.press("ctrl+u", *"30m", "enter")
        assert screen.range_seconds == 1800
        assert "range 30m" in screen_text(app)


async def test_a_chart_grows_to_full_screen_and_its_cursor_reads_values(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_metrics(app, pilot)
        chart = metrics(app).charts[0]
        await wait_for(pilot, lambda: chart.has_data, timeout=15)
        chart.focus()
        await pilot.press("f")
        assert app.screen.maximized is chart and chart.size.height > 25
        await pilot.press("left", "left")
        assert chart.cursor_time is not None
        legend = str(chart.query_one("#legend").render())
        assert ":" in legend.split()[0] and "req/s" in legend
        await pilot.press("escape")
        assert chart.cursor_time is None
        await pilot.press("escape")
        assert app.screen.maximized is None


async def test_a_refresh_with_unchanged_data_redraws_nothing(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_metrics(app, pilot)
        await pilot.press("t", "t")  # 1h -> 6h -> 24h: a step of 15 minutes

        def all_show_a_day() -> bool:
            return all(c.has_data and c.window is not None
                       and c.window.end - c.window.start == 86400 for c in screen.charts)

        await wait_for(pilot, all_show_a_day, timeout=20)
        await wait_for(pilot, lambda: not any(c.redraw_pending for c in screen.charts))
        draws = [c.draws for c in screen.charts]
        refreshes = screen.refreshes
        await wait_for(pilot, lambda: screen.refreshes >= refreshes + 2, timeout=25)
        assert [c.draws for c in screen.charts] == draws


async def test_a_down_prometheus_degrades_only_the_charts(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path, prometheus_url=closed_port_url())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_metrics(app, pilot)
        charts = metrics(app).charts
        await wait_for(pilot, lambda: all(c.has_class("-degraded") for c in charts), timeout=10)
        assert "Prometheus unavailable: " in str(charts[0].query_one("#message").render())
        await pilot.press("1")
        table = app.screen.query_one("#deployments")
        await wait_for(pilot, lambda: table.row_count > 5, timeout=10)  # type: ignore[attr-defined]


async def test_m_on_a_deployment_opens_its_six_charts_with_data(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.screen.query_one("#deployments")
        key = "serving/mistral-7b-chat"
        await wait_for(pilot, lambda: key in table.row_keys, timeout=15)  # type: ignore[attr-defined]
        table.move_cursor(key)  # type: ignore[attr-defined]
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MetricsScreen))
        charts = metrics(app).charts
        assert charts[0].panel.title == "Requests/s · mistral-7b-chat"
        assert len(charts) == 6
        await wait_for(pilot, lambda: all(c.has_data for c in charts[:4]), timeout=20)
        await pilot.press("escape")
        assert not isinstance(app.screen, MetricsScreen)
