"""Snapshots of the Metrics area, a deployment's metrics, and the Alerts area
(firing and pending, none, Prometheus down), over ``FrozenMetrics``: fixed series
over windows measured from the frozen clock, fixed alerts.

Update after an intended visual change with ``pytest tests/ui/test_snapshots_metrics.py
--snapshot-update``, then look at every changed SVG.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from console.app import Backends, OpsConsoleApp, build_app
from console.config import Config
from console.models import Alert
from screens.alerts import AlertsScreen
from screens.deployments import DeploymentsScreen
from screens.metrics import MetricsScreen
from screens.widgets.resource_table import ResourceTable
from tests.ui.fakes import NOW
from tests.ui.snapshot_support import FrozenMetrics, SnapshotCluster, painted

Snap = Callable[..., bool]


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Chart ticks print local times: make local time UTC for these snapshots."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def make_app(*, alerts: list[Alert] | None = None, down: bool = False) -> OpsConsoleApp:
    """The console over ``SnapshotCluster`` and ``FrozenMetrics``, the clock frozen."""
    backends = Backends(SnapshotCluster(), metrics=FrozenMetrics(alerts=alerts, down=down))
    return build_app(Config(), backends, clock=lambda: NOW)


def charts_drawn(pilot: Pilot[None]) -> bool:
    """Whether the Metrics screen shows every chart drawn with its data."""
    screen = pilot.app.screen
    if not isinstance(screen, MetricsScreen) or not screen.charts:
        return False
    return all(c.has_data and c.draws and not c.redraw_pending for c in screen.charts)


async def open_metrics(pilot: Pilot[None]) -> None:
    await pilot.press("2")
    await painted(pilot, lambda: charts_drawn(pilot))


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (160, 40)], ids=size_id)
def test_metrics_area_snapshot(snap_compare: Snap, size: tuple[int, int]) -> None:
    """The overview charts (one column at 80, two from 100 columns) with their legends
    and thresholds."""
    assert snap_compare(make_app(), terminal_size=size, run_before=open_metrics)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=size_id)
def test_deployment_metrics_snapshot(snap_compare: Snap, size: tuple[int, int]) -> None:
    """``m`` on llama-70b: its requests by code, error ratio, latencies and GPUs."""

    async def deployment_charts(pilot: Pilot[None]) -> None:
        def listed() -> bool:
            screen = pilot.app.screen
            return isinstance(screen, DeploymentsScreen) and screen.table.row_count == 2

        await painted(pilot, listed)
        await pilot.press("m")
        await painted(pilot, lambda: charts_drawn(pilot))

    assert snap_compare(make_app(), terminal_size=size, run_before=deployment_charts)


def test_metrics_area_with_prometheus_down_snapshot(snap_compare: Snap) -> None:
    """Every chart says Prometheus is unavailable and why; the header says retrying."""

    async def degraded(pilot: Pilot[None]) -> None:
        await pilot.press("2")

        def said() -> bool:
            screen = pilot.app.screen
            return (
                isinstance(screen, MetricsScreen)
                and bool(screen.charts)
                and all(c.has_class("-degraded") for c in screen.charts)
                and pilot.app.prometheus_health.state == "retrying"  # type: ignore[attr-defined]
            )

        await painted(pilot, said)

    assert snap_compare(make_app(down=True), terminal_size=(80, 24), run_before=degraded)


def alerts_message(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one("#message", Static).render())


async def open_alerts(pilot: Pilot[None]) -> AlertsScreen:
    await pilot.press("3")
    await painted(pilot, lambda: isinstance(pilot.app.screen, AlertsScreen))
    screen = pilot.app.screen
    assert isinstance(screen, AlertsScreen)
    return screen


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=size_id)
def test_alerts_snapshot(snap_compare: Snap, size: tuple[int, int]) -> None:
    """Two firing alerts (critical first) and a pending one; the critical one under
    the cursor, detailed below the table."""

    async def listed(pilot: Pilot[None]) -> None:
        screen = await open_alerts(pilot)
        table = screen.query_one("#alerts", ResourceTable)
        detail = screen.query_one("#detail", Static)
        await painted(pilot, lambda: table.row_count == 3 and detail.has_class("-visible"))

    assert snap_compare(make_app(), terminal_size=size, run_before=listed)


def test_alerts_none_firing_snapshot(snap_compare: Snap) -> None:
    """Prometheus answers with no alert: the screen says so."""

    async def empty(pilot: Pilot[None]) -> None:
        await open_alerts(pilot)
        await painted(pilot, lambda: alerts_message(pilot) == "No alert is firing or pending.")

    assert snap_compare(make_app(alerts=[]), terminal_size=(80, 24), run_before=empty)


def test_alerts_with_prometheus_down_snapshot(snap_compare: Snap) -> None:
    """Prometheus refuses connections: the error above the (empty) table."""

    async def down(pilot: Pilot[None]) -> None:
        await open_alerts(pilot)
        await painted(pilot, lambda: alerts_message(pilot).startswith("Prometheus unavailable"))

    assert snap_compare(make_app(down=True), terminal_size=(80, 24), run_before=down)
