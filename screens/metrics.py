"""The Metrics screen: a grid of charts, each a PromQL range query, refreshed on a
timer, with time ranges, an ad-hoc PromQL prompt and a full-screen panel.

One worker (group ``metrics``) queries every panel at once and posts the answers
back; a refresh re-arms its timer only when the previous one finished, pauses
while the screen is hidden, and drops answers asked for an older panel set or
range. A query that timed out is not retried until the operator presses ``r``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual_plotext import PlotextPlot

from adapters.base import AdapterError, MetricsAdapter
from console.models import QueryResult
from console.panels import Panel
from console.timerange import RangeError, Window, format_range, next_preset, parse_range, window
from screens.refresh_timer import RefreshTimer
from screens.widgets.chart_panel import ChartPanel
from screens.widgets.focus import skip_while_typing
from screens.widgets.header import ConsoleHeader
from screens.widgets.history_input import HistoryInput
from screens.widgets.steady_footer import SteadyFooter

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

#: Grid columns by screen width: one narrow, two from this many cells, three from 180.
TWO_COLUMNS_FROM = 100
#: Seconds a range or panel change waits for the next key before querying.
CHANGE_SETTLE = 0.3

Answer = QueryResult | AdapterError


class MetricsScreen(Screen[None]):
    """Charts of a panel set (the config's, a Deployment's, or one alert's)."""

    CSS_PATH = "metrics.tcss"
    #: ``escape`` first clears a chart's cursor, then leaves full screen (``action_back``).
    ESCAPE_TO_MINIMIZE = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "next_range", "Range", id="metrics.range"),
        Binding("T", "custom_range", "Custom range", id="metrics.custom-range"),
        Binding("colon", "promql", "PromQL", id="metrics.promql", priority=True),
        Binding("f", "zoom", "Full screen", id="metrics.zoom"),
        Binding("r", "refresh", "Refresh", id="metrics.refresh"),
        Binding("escape", "back", "Back", show=False, id="metrics.back"),
    ]

    class Answered(Message):
        """One chart's answer (a result or the error) over ``window``, for ``generation``."""

        def __init__(self, generation: int, chart_id: str, answer: Answer,
                     window: Window) -> None:
            super().__init__()
            self.generation = generation
            self.chart_id = chart_id
            self.answer = answer
            self.window = window

    class Refreshed(Message):
        """Every chart of one refresh has its answer: time to arm the next one."""

    def __init__(self, panels: Sequence[Panel] | None = None, *, title: str = "",
                 range_seconds: float | None = None) -> None:
        super().__init__()
        self._panels = list(panels) if panels is not None else None
        self._title = title
        self._range = range_seconds
        self._generation = 0
        self._timer = RefreshTimer(self, self._refresh_now, name="metrics-refresh")
        self._adhoc = 0
        self.refreshes = 0

    @property
    def console(self) -> OpsConsoleApp:
        """The app, with its config and backends."""
        return cast("OpsConsoleApp", self.app)

    @property
    def charts(self) -> list[ChartPanel]:
        """The charts, in display order."""
        return list(self.query(ChartPanel))

    @property
    def range_seconds(self) -> float:
        """The time range every chart shows."""
        return self._range or parse_range(self.console.config.metrics.default_range)

    def compose(self) -> ComposeResult:
        panels = self._panels if self._panels is not None else self.console.config.metrics.panels
        yield ConsoleHeader()
        yield Static("", id="toolbar", markup=False)
        with VerticalScroll(id="scroll"), Grid(id="panels"):
            for i, panel in enumerate(panels):
                yield ChartPanel(panel, id=f"panel-{i}")
        yield HistoryInput("PromQL, e.g. sum by (code) (rate(model_requests_total[5m]))",
                           id="promql")
        yield HistoryInput("time range: 15m, 1h, 6h, 24h, 2h, 1h30m …", id="range")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._show_toolbar("")
        if self.console.backends.metrics is None:
            for chart in self.charts:
                chart.show_message("Prometheus is not configured: set [prometheus] url "
                                   "in the config file.")
            return
        self.call_after_refresh(self._refresh_now)

    def on_resize(self) -> None:
        columns = 1 if self.size.width < TWO_COLUMNS_FROM else 2 if self.size.width < 180 else 3
        self.query_one("#panels", Grid).styles.grid_size_columns = columns

    # ------------------------------------------------------------------ refreshing

    def _refresh_now(self, *, include_timed_out: bool = False) -> None:
        """Query every chart now (skipping those that timed out unless asked)."""
        self._timer.cancel()
        adapter = self.console.backends.metrics
        if adapter is None:
            return
        jobs: dict[str, tuple[Panel, Window]] = {}
        now = self.console.clock().timestamp()  # the app's clock: tests freeze it
        for chart in self.charts:
            if chart.timed_out and not include_timed_out:
                continue
            width = chart.query_one(PlotextPlot).size.width or 80
            jobs[chart.id or ""] = (chart.panel, window(self.range_seconds, now, width))
        self.refreshes += 1
        self._load(adapter, self._generation, jobs)

    @work(exclusive=True, group="metrics", exit_on_error=False)
    async def _load(self, adapter: MetricsAdapter, generation: int,
                    jobs: dict[str, tuple[Panel, Window]]) -> None:
        """Run every chart's range query concurrently, posting each answer as it comes."""

        async def one(chart_id: str, panel: Panel, w: Window) -> None:
            answer: Answer
            try:
                answer = await adapter.query_range(panel.query, w.start, w.end,
                                                   max_points=w.points)
            except AdapterError as exc:
                answer = exc
            self.post_message(self.Answered(generation, chart_id, answer, w))

        await asyncio.gather(*(one(key, p, w) for key, (p, w) in jobs.items()))
        self.post_message(self.Refreshed())

    def on_metrics_screen_answered(self, message: Answered) -> None:
        """Show one chart's answer, unless it was asked for an older panel set or range."""
        if message.generation != self._generation:
            return
        for chart in self.query(f"#{message.chart_id}").results(ChartPanel):
            if isinstance(message.answer, AdapterError):
                chart.show_failure(message.answer)
            else:
                chart.show_result(message.answer, message.window)

    def on_metrics_screen_refreshed(self) -> None:
        failed = sum(1 for chart in self.charts if chart.has_class("-failed"))
        self._show_toolbar(f"{failed} without data" if failed else "")
        self._timer.schedule(self.console.config.ui.refresh_seconds)

    def on_screen_suspend(self) -> None:
        self._timer.suspend()

    def on_screen_resume(self) -> None:
        self._timer.resume()

    def _changed(self) -> None:
        """The panel set or range changed: older answers are stale; query once the
        keys stop (``CHANGE_SETTLE`` s), so that pressing ``t`` thrice sends one set
        of queries, not three."""
        self._generation += 1
        self._show_toolbar("")
        self._timer.settle(CHANGE_SETTLE, partial(self._refresh_now, include_timed_out=True))

    def _show_toolbar(self, note: str) -> None:
        parts = [self._title or "Metrics", f"range {format_range(self.range_seconds)}",
                 f"every {self.console.config.ui.refresh_seconds:g} s", note,
                 "t range · T custom · : PromQL · f full screen · ←/→ cursor"]
        self.query_one("#toolbar", Static).update("  ·  ".join(p for p in parts if p))

    # ------------------------------------------------------------------ actions

    def action_next_range(self) -> None:
        """Show the next preset range (15m, 1h, 6h, 24h)."""
        self._range = next_preset(self.range_seconds)
        self._changed()

    def action_custom_range(self) -> None:
        """Ask for a range such as 2h or 30m."""
        self.query_one("#range", HistoryInput).open(format_range(self.range_seconds))

    def action_promql(self) -> None:
        """Open the ad-hoc PromQL prompt (up/down recall earlier queries)."""
        skip_while_typing(self)
        self.query_one("#promql", HistoryInput).open()

    def action_zoom(self) -> None:
        """Grow the focused chart to the whole screen, or back."""
        if self.maximized is not None:
            self.minimize()
        elif isinstance(self.focused, ChartPanel):
            self.maximize(self.focused, container=False)

    def action_refresh(self) -> None:
        """Query every chart now, including those whose last query timed out."""
        self._refresh_now(include_timed_out=True)

    def action_back(self) -> None:
        """Leave full screen, else go back to the screen this one was opened from."""
        if self.maximized is not None:
            self.minimize()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        prompt = event.input
        if not isinstance(prompt, HistoryInput):
            return
        text = event.value.strip()
        if prompt.id == "range":
            try:
                self._range = parse_range(text)
            except RangeError as exc:
                self.notify(str(exc), title="Time range", severity="error", markup=False)
                return
            prompt.remember(text)
            prompt.close()
            self._changed()
        elif text:
            prompt.remember(text)
            prompt.close()
            await self._show_adhoc(text)

    async def _show_adhoc(self, query: str) -> None:
        """Put a chart of ``query`` first in the grid (replacing the previous one)."""
        await self.query("#adhoc").remove()
        self._adhoc += 1
        chart = ChartPanel(Panel(title=f"PromQL: {query}", query=query), id="adhoc")
        grid = self.query_one("#panels", Grid)
        await grid.mount(chart, before=0 if grid.children else None)
        chart.focus()
        self.call_after_refresh(self._changed)

    def on_history_input_closed(self) -> None:
        focus = self.query(ChartPanel).first(ChartPanel) if self.charts else None
        if focus is not None:
            focus.focus()
