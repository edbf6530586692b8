"""A virtual log view drawn with Textual's line API over a ``LogBuffer``.

Only the visible lines are rendered, so 10,000 buffered lines cost nothing until
they scroll into view. Each line may carry a coloured pod prefix; error lines
take the theme's error colour; matches of the filter are highlighted. With wrap
on, long lines continue on the following rows (wrapped by characters).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.logbuffer import LogBuffer, LogLine

__all__ = ["LogView"]

#: Colour roles cycled through for the pods of one view.
POD_TONES = 6


class LogView(ScrollView, can_focus=True):
    """The shown lines of a ``LogBuffer``; call ``lines_changed`` after changing it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "scroll_up", "Up", show=False, id="log.up"),
        Binding("down,j", "scroll_down", "Down", show=False, id="log.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="log.page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="log.page-down"),
        Binding("home,g", "top", "Top", id="log.top"),
        Binding("end,G", "bottom", "Bottom", id="log.bottom"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--error",
        "log-view--match",
        *(f"log-view--pod-{i}" for i in range(POD_TONES)),
    }

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $foreground;
        & > .log-view--error { color: $text-error; }
        & > .log-view--match { background: $accent 40%; text-style: bold; }
        & > .log-view--pod-0 { color: $text-primary; }
        & > .log-view--pod-1 { color: $text-secondary; }
        & > .log-view--pod-2 { color: $text-accent; }
        & > .log-view--pod-3 { color: $text-success; }
        & > .log-view--pod-4 { color: $text-warning; }
        & > .log-view--pod-5 { color: $text-muted; }
    }
    """

    wrap: reactive[bool] = reactive(False)
    """Whether long lines continue on the next rows instead of scrolling sideways."""
    follow: reactive[bool] = reactive(True)
    """Whether the view stays at the newest line as lines arrive."""

    def __init__(self, buffer: LogBuffer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.buffer = buffer
        #: Pod name -> the prefix shown before its lines ("" for a single pod).
        self.prefixes: dict[str, str] = {}
        self._prefix_width = 0
        self._widest = 0
        #: With wrap: the first row of each shown line (ascending).
        self._starts: list[int] = []

    def set_prefixes(self, prefixes: dict[str, str]) -> None:
        """Show ``prefixes[pod]`` before each line of ``pod`` (padded to one width)."""
        self.prefixes = prefixes
        self._prefix_width = max((len(p) for p in prefixes.values()), default=0)
        self.lines_changed()

    def lines_changed(self) -> None:
        """Resize to the buffer's shown lines, keep following, and repaint."""
        shown = self.buffer.shown
        if self.wrap:
            self._starts = self._row_starts()
            rows = self._starts[-1] + self._rows_of(shown[-1]) if shown else 0
            self.virtual_size = Size(self.scrollable_content_region.width, rows)
        else:
            self._widest = max(self._widest, *(len(line.text) for line in shown), 0)
            self.virtual_size = Size(self._gutter + self._widest, len(shown))
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def watch_wrap(self) -> None:
        self.lines_changed()

    def on_resize(self) -> None:
        self.lines_changed()

    def action_top(self) -> None:
        """Jump to the oldest line (stops following)."""
        self.follow = False
        self.scroll_home(animate=False)

    def action_bottom(self) -> None:
        """Jump to the newest line and follow again."""
        self.follow = True
        self.scroll_end(animate=False, x_axis=False)

    def action_scroll_up(self) -> None:
        self.follow = False
        self.scroll_relative(y=-1, animate=False)

    def action_scroll_down(self) -> None:
        self.scroll_relative(y=1, animate=False)

    def action_page_up(self) -> None:
        self.follow = False
        self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    # ------------------------------------------------------------------ drawing

    @property
    def _gutter(self) -> int:
        return self._prefix_width + 1 if self._prefix_width else 0

    def _rows_of(self, line: LogLine) -> int:
        width = max(1, self.scrollable_content_region.width - self._gutter)
        return max(1, -(-len(line.text) // width))

    def _row_starts(self) -> list[int]:
        starts: list[int] = []
        row = 0
        for line in self.buffer.shown:
            starts.append(row)
            row += self._rows_of(line)
        return starts

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_offset.y) + y
        shown = self.buffer.shown
        width = self.scrollable_content_region.width
        base = self.rich_style
        if self.wrap:
            index = bisect_right(self._starts, row) - 1
            if index < 0 or index >= len(shown):
                return Strip.blank(width, base)
            piece = row - self._starts[index]
            text_width = max(1, width - self._gutter)
            line = shown[index]
            chunk = line.text[piece * text_width : (piece + 1) * text_width]
            return self._strip(line, chunk, first=piece == 0, width=width, base=base)
        if row >= len(shown):
            return Strip.blank(width, base)
        line = shown[row]
        strip = self._strip(line, line.text, first=True, width=None, base=base)
        x = round(self.scroll_offset.x)
        return strip.crop(x, x + width).extend_cell_length(width, base)

    def _strip(
        self, line: LogLine, text: str, *, first: bool, width: int | None, base: Style
    ) -> Strip:
        segments: list[Segment] = []
        if self._prefix_width:
            prefix = self.prefixes.get(line.pod, line.pod) if first else ""
            tone = self.get_component_rich_style(f"log-view--pod-{line.source % POD_TONES}")
            segments.append(Segment(prefix.ljust(self._prefix_width) + " ", base + tone))
        style = base + self.get_component_rich_style("log-view--error") if line.error else base
        segments.extend(self._highlighted(text, style))
        strip = Strip(segments)
        return strip.extend_cell_length(width, base) if width is not None else strip

    def _highlighted(self, text: str, style: Style) -> list[Segment]:
        pattern: re.Pattern[str] | None = self.buffer.filter
        if pattern is None:
            return [Segment(text, style)]
        match_style = style + self.get_component_rich_style("log-view--match")
        segments: list[Segment] = []
        last = 0
        for match in pattern.finditer(text):
            if match.end() == match.start():
                continue
            segments.append(Segment(text[last : match.start()], style))
            segments.append(Segment(match.group(0), match_style))
            last = match.end()
        segments.append(Segment(text[last:], style))
        return segments
