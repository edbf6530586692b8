"""One metrics panel: a titled line chart of a PromQL range query, its legend with
the latest (or cursor) values, its thresholds as lines, and its failure states.

The chart redraws only when the data changed (``console.panels.digest``) and at
most once a second; a refresh bringing the same points costs a hash. A bad query
shows Prometheus's ``errorType`` and message; a down or slow Prometheus shows a
degraded message in place of the chart. Colours come from the app's theme.
"""

from __future__ import annotations

from datetime import datetime
from time import monotonic
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static
from textual_plotext import PlotextPlot

from adapters.base import AdapterError, InvalidRequest, Timeout
from console.models import QueryResult
from console.panels import ChartSeries, Panel, chart_series, digest, value_at
from console.timerange import Window
from console.units import format_value
from screens.widgets import legend

#: Seconds between two redraws of one chart, at least.
MIN_REDRAW_INTERVAL = 1.0
#: Theme variables the series take their colours from, in order.
SERIES_COLOURS = ("primary", "accent", "success", "warning", "secondary", "foreground-muted")


class ChartPanel(Widget, can_focus=True):
    """A chart of one ``Panel``, fed by its screen with ``show_result``/``show_failure``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "cursor(-1)", "Earlier", show=False, id="chart.earlier"),
        Binding("right", "cursor(1)", "Later", show=False, id="chart.later"),
        Binding("escape", "clear_cursor", "No cursor", show=False, id="chart.no-cursor"),
    ]

    DEFAULT_CSS = """
    ChartPanel {
        height: 1fr;
        min-height: 7;
        border: round $panel-lighten-2;
        border-title-color: $foreground;
        border-subtitle-color: $text-muted;
        &:focus { border: round $primary; }
        & PlotextPlot { height: 1fr; }
        & #legend { height: auto; max-height: 2; color: $text-muted; }
        & #warnings { display: none; height: auto; color: $text-warning; }
        & #message { display: none; height: 1fr; content-align: center middle;
                     text-align: center; color: $text-muted; }
        &.-warned #warnings { display: block; }
        &.-failed PlotextPlot, &.-failed #legend { display: none; }
        &.-failed #message { display: block; }
        &.-error #message { color: $text-error; }
        &.-degraded #message { color: $text-warning; }
    }
    """

    def __init__(self, panel: Panel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.panel = panel
        self.border_title = panel.title
        self._digest: int | None = None
        self._lines: list[ChartSeries] = []
        self._window: Window | None = None
        self._cursor: float | None = None
        self._last_draw = 0.0
        self._draw_timer: Timer | None = None
        #: Whether the last query timed out (the screen does not retry it by itself).
        self.timed_out = False
        #: How many times the chart was drawn (the budget allows one per change).
        self.draws = 0

    def compose(self) -> ComposeResult:
        yield PlotextPlot()
        yield Static("", id="legend")
        yield Static("", id="warnings", markup=False)
        yield Static("Loading…", id="message", markup=False)

    # ------------------------------------------------------------------ feeding

    @property
    def has_data(self) -> bool:
        """Whether the chart shows at least one series."""
        return bool(self._lines) and not self.has_class("-failed")

    @property
    def window(self) -> Window | None:
        """The span the chart shows, or None before its first answer."""
        return self._window

    def show_result(self, result: QueryResult, window: Window) -> bool:
        """Show ``result`` over ``window``. Returns False (and draws nothing) when it
        is the data already shown."""
        self.timed_out = False
        fingerprint = digest(result)
        if fingerprint == self._digest and window == self._window:
            return False
        self._digest, self._window = fingerprint, window
        self._lines = chart_series(self.panel, result)
        self._set_state("", "")
        warnings = self.query_one("#warnings", Static)
        warnings.update("⚠ " + " · ".join(result.warnings) if result.warnings else "")
        self.set_class(bool(result.warnings), "-warned")
        if not self._lines:
            self._set_state("-empty", "No data for this query in this range.")
        self._request_draw()
        return True

    def show_failure(self, error: AdapterError) -> None:
        """Show why the query failed: Prometheus's ``errorType: message`` for a query it
        refused, else that Prometheus is unavailable or timed out (degraded)."""
        self._digest = None
        self.timed_out = isinstance(error, Timeout)
        if isinstance(error, InvalidRequest):
            self._set_state("-error", f"{error.title}: {error.detail}")
        elif self.timed_out:
            self._set_state("-degraded", f"Prometheus timed out: {error.detail}\n"
                                         "Not retried automatically — press r to retry.")
        else:
            self._set_state("-degraded", f"Prometheus unavailable: {error.detail or error.title}")

    def show_message(self, text: str) -> None:
        """Show ``text`` (e.g. that no Prometheus is configured) instead of the chart."""
        self._digest = None
        self._set_state("-degraded", text)

    def _set_state(self, state: str, text: str) -> None:
        for name in ("-error", "-degraded", "-empty"):
            self.set_class(name == state, name)
        self.set_class(state in ("-error", "-degraded", "-empty"), "-failed")
        self.query_one("#message", Static).update(text)
        self.border_subtitle = {"-error": "query error", "-degraded": "degraded"}.get(state, "")

    # ------------------------------------------------------------------ cursor

    def action_cursor(self, steps: int) -> None:
        """Move the time cursor ``steps`` points (placing it at the newest point first)."""
        if self._window is None:
            return
        w = self._window
        start = w.end if self._cursor is None else self._cursor + steps * w.step
        self._cursor = min(w.end, max(w.start, start))
        self._request_draw(now=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``escape`` clears the cursor only while there is one (else the screen has it)."""
        return self._cursor is not None if action == "clear_cursor" else True

    def action_clear_cursor(self) -> None:
        """Hide the time cursor; the legend shows the newest values again."""
        self._cursor = None
        self._request_draw(now=True)

    @property
    def redraw_pending(self) -> bool:
        """Whether a draw is waiting for the once-a-second limit to pass."""
        return self._draw_timer is not None

    @property
    def cursor_time(self) -> float | None:
        """The time the cursor reads values at, or None when there is no cursor."""
        return self._cursor

    # ------------------------------------------------------------------ drawing

    def _request_draw(self, *, now: bool = False) -> None:
        """Draw now, or when a second has passed since the last draw."""
        wait = self._last_draw + MIN_REDRAW_INTERVAL - monotonic()
        if now or wait <= 0:
            self._draw()
        elif self._draw_timer is None:
            self._draw_timer = self.set_timer(wait, self._draw, name="redraw")

    def on_resize(self) -> None:
        """Fit the legend to the new width (the plot redraws itself)."""
        if self._lines:
            self.query_one("#legend", Static).update(self._legend(self._colours()))

    def _colours(self) -> list[tuple[int, int, int]]:
        variables = self.app.theme_variables
        return [Color.parse(variables[name]).rgb for name in SERIES_COLOURS if name in variables]

    def _draw(self) -> None:
        """Plot the lines, thresholds and cursor, and write the legend."""
        if self._draw_timer is not None:
            self._draw_timer.stop()
            self._draw_timer = None
        self._last_draw = monotonic()
        self.draws += 1
        plot = self.query_one(PlotextPlot)
        plt, w, colours = plot.plt, self._window, self._colours()
        plt.clear_figure()
        if w is None or not self._lines:
            plot.refresh()
            return
        values = [v for line in self._lines for _, v in line.points]
        low = min(0.0, *values, *self.panel.thresholds)
        high = max(*values, *self.panel.thresholds, low + 1e-9)
        high = high + (high - low) * 0.1
        for i, line in enumerate(self._lines):
            if line.points:
                xs, ys = zip(*line.points, strict=True)
                plt.plot(xs, ys, marker="braille", color=colours[i % len(colours)])
        error = Color.parse(self.app.theme_variables.get("error", "red")).rgb
        for threshold in self.panel.thresholds:
            plt.hline(threshold, color=error)
        if self._cursor is not None:
            plt.vline(self._cursor, color=Color.parse(self.app.theme_variables["foreground"]).rgb)
        plt.xlim(w.start, w.end)
        plt.ylim(low, high)
        plt.xticks(*_time_ticks(w))
        ticks = [low, (low + high) / 2, high]
        plt.yticks(ticks, [format_value(t, self.panel.unit) for t in ticks])
        plot.refresh()
        self.query_one("#legend", Static).update(self._legend(colours))

    def _legend(self, colours: list[tuple[int, int, int]]) -> Text:
        """The thresholds, then each series' colour, name and value (newest, or at the
        cursor) by value, largest first — fitted to the legend's two lines."""
        entries = []
        for i, line in enumerate(self._lines):
            value = line.last if self._cursor is None else value_at(line.points, self._cursor)
            shown = "-" if value is None else format_value(value, self.panel.unit)
            colour = Style(color=_rich(colours[i % len(colours)]))
            entries.append(legend.Entry("━", f"{line.name} {shown}", colour, value))
        thresholds = [legend.Entry("┄", format_value(t, self.panel.unit))
                      for t in self.panel.thresholds]
        prefix = _clock(self._cursor) if self._cursor is not None else ""
        width = self.query_one("#legend", Static).content_size.width
        return legend.fit([*thresholds, *legend.ordered(entries)], width, prefix=prefix)


def _rich(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _clock(t: float) -> str:
    return datetime.fromtimestamp(t).strftime("%H:%M:%S")


def _time_ticks(w: Window) -> tuple[list[float], list[str]]:
    """Three ticks (start, middle, end) labelled with the local time (and the day for
    ranges over a day)."""
    ticks = [w.start, (w.start + w.end) / 2, w.end]
    pattern = "%d %H:%M" if w.end - w.start > 86400 else "%H:%M"
    return ticks, [datetime.fromtimestamp(t).strftime(pattern) for t in ticks]
