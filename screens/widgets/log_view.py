"""A virtual log view drawn with Textual's line API over a ``LogBuffer``.

Only the visible lines are rendered, so 10,000 buffered lines cost nothing until
they scroll into view. Each line may carry a coloured pod prefix; error lines
take the theme's error colour; matches of the filter are highlighted. With wrap
on, long lines continue on the following rows (wrapped by characters); only the
lines in view are wrapped, so wrapping costs the same for 10 lines or 10,000.
The view then scrolls by lines: its virtual height counts the lines above the
last screenful and the rows of that screenful, which is all it needs to know.
"""

from __future__ import annotations

import itertools
import re
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
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
        #: ``buffer.trimmed`` when the view last looked.
        self._trimmed = buffer.trimmed
        #: Changes whenever the shown lines or the wrap do (keys the cached rows).
        self._version = 0
        self._rows_key: tuple[int, ...] = ()
        self._rows: list[tuple[int, int]] = []
        #: The view's own style, looked up once per paint rather than once per row.
        self._base = Style()

    def set_prefixes(self, prefixes: dict[str, str]) -> None:
        """Show ``prefixes[pod]`` before each line of ``pod`` (padded to one width)."""
        self.prefixes = prefixes
        self._prefix_width = max((len(p) for p in prefixes.values()), default=0)
        self.lines_changed()

    def lines_changed(self, appended: int | None = None) -> None:
        """Resize to the buffer's shown lines, keep following (or keep the lines in
        view in place as older ones leave), and repaint. ``appended``: how many
        shown lines were added at the end since the last call, None when the shown
        lines may have changed throughout (a new filter, a cleared buffer)."""
        shown = self.buffer.shown
        trimmed, self._trimmed = self.buffer.trimmed - self._trimmed, self.buffer.trimmed
        self._version += 1
        if appended is None:
            self._widest = max((len(line.text) for line in shown), default=0)
        elif appended:
            newest = itertools.islice(reversed(shown), appended)
            self._widest = max(self._widest, *(len(line.text) for line in newest))
        if self.wrap:
            region = self.scrollable_content_region
            top, _ = self._end_anchor(self._text_width(region.width), region.height)
            self.virtual_size = Size(region.width, top + region.height)
        else:
            self.virtual_size = Size(self._gutter + self._widest, len(shown))
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        elif trimmed:
            self.scroll_to(y=max(0, self.scroll_y - trimmed), animate=False, immediate=True)
        self.refresh()

    def watch_wrap(self) -> None:
        self.lines_changed(appended=0)

    def on_resize(self) -> None:
        self.lines_changed(appended=0)

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
        if self.wrap:
            self.scroll_to(y=self._page_above(), animate=False)
        else:
            self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        if self.wrap:
            self.scroll_to(y=self._page_below(), animate=False)
        else:
            self.scroll_page_down(animate=False)

    # ------------------------------------------------------------------ drawing

    @property
    def _gutter(self) -> int:
        return self._prefix_width + 1 if self._prefix_width else 0

    def _text_width(self, width: int) -> int:
        """The columns a line's text may take in a view ``width`` wide."""
        return max(1, width - self._gutter)

    @staticmethod
    def _rows_of(line: LogLine, text_width: int) -> int:
        """The rows ``line`` takes when wrapped to ``text_width``."""
        return max(1, -(-len(line.text) // text_width))

    def _end_anchor(self, text_width: int, height: int) -> tuple[int, int]:
        """With wrap: the index of the top line when the newest line ends on the
        bottom row, and how many of that line's rows are above the view."""
        shown = self.buffer.shown
        rows = 0
        for back, line in enumerate(reversed(shown)):
            rows += self._rows_of(line, text_width)
            if rows >= height:
                return len(shown) - 1 - back, rows - height
        return 0, 0

    def _page_above(self) -> int:
        """With wrap: the top line of the screenful ending above the view's top line
        (at least one line up)."""
        region = self.scrollable_content_region
        shown, text_width = self.buffer.shown, self._text_width(region.width)
        top = start = round(self.scroll_y)
        rows = 0
        while top > 0 and rows + self._rows_of(shown[top - 1], text_width) <= region.height:
            top -= 1
            rows += self._rows_of(shown[top], text_width)
        return max(0, min(top, start - 1))

    def _page_below(self) -> int:
        """With wrap: the top line of the screenful after the view: the bottom line
        if it is cut, else the line after it (at least one line down)."""
        rows = self._wrapped_rows()
        if not rows:
            return 0
        index, piece = rows[-1]
        text_width = self._text_width(self.scrollable_content_region.width)
        cut = piece < self._rows_of(self.buffer.shown[index], text_width) - 1
        return max(index if cut else index + 1, round(self.scroll_y) + 1)

    def _wrapped_rows(self) -> list[tuple[int, int]]:
        """With wrap: each row of the view as (the index of its line in the shown
        lines, which piece of the line), top first. The scroll position is the index
        of the top line; at the end of the scroll range, the newest line's last
        piece is on the bottom row instead."""
        region = self.scrollable_content_region
        top = round(self.scroll_y)
        at_end = top >= self.max_scroll_y
        key = (self._version, top, at_end, region.width, region.height)
        if key == self._rows_key:
            return self._rows
        text_width = self._text_width(region.width)
        start, skip = self._end_anchor(text_width, region.height) if at_end else (top, 0)
        shown = self.buffer.shown
        rows: list[tuple[int, int]] = []
        for index in range(start, len(shown)):
            pieces = self._rows_of(shown[index], text_width)
            rows.extend((index, piece) for piece in range(skip, pieces))
            skip = 0
            if len(rows) >= region.height:
                break
        self._rows_key, self._rows = key, rows[: region.height]
        return self._rows

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        shown = self.buffer.shown
        width = self.scrollable_content_region.width
        base = self._base
        if self.wrap:
            rows = self._wrapped_rows()
            if y >= len(rows):
                return Strip.blank(width, base)
            index, piece = rows[y]
            line = shown[index]
            text_width = self._text_width(width)
            chunk = line.text[piece * text_width : (piece + 1) * text_width]
            return self._strip(line, chunk, first=piece == 0, width=width, base=base)
        row = round(self.scroll_offset.y) + y
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
