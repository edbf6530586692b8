"""Chart redraw CPU, and the time to open the Metrics screen with 6 panels.

    python -m bench.bench_metrics

Budgets (issue 4): a chart redraw <= 60 ms of CPU; opening the Metrics screen with
6 panels (all showing data) <= 1 s on the sandbox. The sandbox runs in a child
process; the console runs headless (``App.run_test``) in this one.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time

from textual_plotext import PlotextPlot

from adapters.kubernetes import KubernetesAdapter
from adapters.prometheus import PrometheusAdapter
from console.app import Backends, OpsConsoleApp, build_app
from console.config import Config
from console.models import QueryResult, Series
from console.sandbox.process import SandboxProcess, spawn
from console.timerange import window
from screens.metrics import MetricsScreen

OPENS = 5
REDRAWS = 20
SIZE = (120, 36)


def console_over(sandbox: SandboxProcess) -> OpsConsoleApp:
    """The console over the child sandbox's Kubernetes and Prometheus faces."""
    assert sandbox.prometheus_url is not None
    backends = Backends(KubernetesAdapter(kubeconfig=sandbox.kubeconfig),
                        metrics=PrometheusAdapter(sandbox.prometheus_url), sandbox=True)
    return build_app(Config(), backends, tune_gc=True)  # as the CLI runs it


async def open_metrics(app: OpsConsoleApp) -> float:
    """Seconds from pressing ``2`` until all six charts show data."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        started = time.perf_counter()
        await pilot.press("2")
        while True:
            screen = app.screen
            if isinstance(screen, MetricsScreen):
                charts = screen.charts
                if len(charts) == 6 and all(c.has_data for c in charts):
                    return time.perf_counter() - started
            if time.perf_counter() - started > 30:
                raise RuntimeError("the metrics screen did not show data within 30 s")
            await pilot.pause(0.005)


def synthetic(points: int, shift: int) -> QueryResult:
    """Six series of ``points`` points, different for every ``shift``."""
    now = time.time()
    return QueryResult(result_type="matrix", series=tuple(
        Series(labels={"pod": f"pod-{i}"}, points=tuple(
            (now - (points - k) * 30, 10 + i + math.sin((k + shift) / 9 + i))
            for k in range(points)))
        for i in range(6)))


async def redraw_cpu(app: OpsConsoleApp, maximized: bool) -> tuple[float, int, int]:
    """Median CPU ms of one chart redraw (plot and legend rebuilt, then rendered) with
    six series at two points per cell, and the chart's size."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        while not isinstance(app.screen, MetricsScreen):
            await pilot.pause(0.01)
        screen = app.screen
        chart = screen.charts[0]
        chart.focus()
        if maximized:
            await pilot.press("f")
        await pilot.pause(0.2)
        plot = chart.query_one(PlotextPlot)
        width, height = plot.size.width, plot.size.height
        w = window(3600, time.time(), width)
        costs = []
        for shift in range(REDRAWS):
            chart.show_result(synthetic(min(w.points, 2 * width), shift), w)
            started = time.process_time()
            chart._draw()
            plot.render()
            costs.append((time.process_time() - started) * 1000)
        return statistics.median(costs), width, height


def main() -> None:
    with spawn([]) as sandbox:
        opens = [asyncio.run(open_metrics(console_over(sandbox))) for _ in range(OPENS)]
        print(f"metrics screen, 6 panels with data  median {statistics.median(opens):.2f} s "
              f"(min {min(opens):.2f}, max {max(opens):.2f}; {OPENS} opens)  budget 1.00 s")
        for maximized in (False, True):
            cost, width, height = asyncio.run(redraw_cpu(console_over(sandbox), maximized))
            where = "full screen" if maximized else "in the grid"
            print(f"chart redraw {where:12} {width}x{height} cells, 6 series  "
                  f"median {cost:.1f} ms CPU ({REDRAWS} redraws)  budget 60 ms")


if __name__ == "__main__":
    main()
