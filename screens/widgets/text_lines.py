"""A virtual view of plain text lines (a build step's output), drawn with the line API.

Only the visible lines are rendered, so a step holding thousands of lines costs
nothing until they scroll into view. While ``follow`` is on the view stays at the
newest line; scrolling up turns it off, ``end`` turns it back on. The sequence is
shared, not copied: a bounded one (a deque dropping its oldest lines) keeps the
view bounded too, and while not following, the lines in view stay in place as
older ones are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import ClassVar

from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["TextLines"]


class TextLines(ScrollView, can_focus=True):
    """The lines of a sequence (shared, not copied); call ``show`` when it changes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "scroll_lines(-1)", "Up", show=False, id="text.up"),
        Binding("down,j", "scroll_lines(1)", "Down", show=False, id="text.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="text.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="text.page-down"),
        Binding("home,g", "top", "Top", show=False, id="text.top"),
        Binding("end,G", "bottom", "Follow", show=False, id="text.bottom"),
    ]

    DEFAULT_CSS = """
    TextLines { background: $surface; color: $foreground; }
    """

    follow: reactive[bool] = reactive(True)
    """Whether the view stays at the newest line as lines arrive."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: Sequence[str] = ()
        self._widest = 0
        #: The length and dropped count last shown, to skip unchanged updates.
        self._shown: tuple[int, int] = (0, 0)

    @property
    def lines(self) -> Sequence[str]:
        """The lines shown."""
        return self._lines

    def show(self, lines: Sequence[str], *, dropped: int = 0) -> None:
        """Show ``lines`` (a new sequence, or the same one grown), keeping the
        newest line in view while following. ``dropped`` counts the lines that
        fell off the front of ``lines`` so far; while not following, the view
        scrolls up by as many as fell off since the last call."""
        shift = 0
        if lines is not self._lines:
            self._widest = 0
        elif (len(lines), dropped) == self._shown:
            return
        else:
            shift = dropped - self._shown[1]
        self._lines = lines
        self._shown = (len(lines), dropped)
        newest = islice(reversed(lines), 200)
        self._widest = max(self._widest, max((len(line) for line in newest), default=0))
        self.virtual_size = Size(self._widest, len(lines))
        # forced: the scrollbar that allows scrolling appears only at the next layout
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        elif shift > 0:
            y = max(0, self.scroll_offset.y - shift)
            self.scroll_to(y=y, animate=False, immediate=True, force=True)
        self.refresh()

    def action_scroll_lines(self, delta: int) -> None:
        """Scroll ``delta`` lines (scrolling up stops following)."""
        if delta < 0:
            self.follow = False
        self.scroll_relative(y=delta, animate=False)

    def action_page(self, direction: int) -> None:
        """Scroll a page up (-1, stops following) or down (1)."""
        if direction < 0:
            self.follow = False
        self.scroll_relative(y=direction * self.scrollable_content_region.height, animate=False)

    def action_top(self) -> None:
        """Jump to the first line (stops following)."""
        self.follow = False
        self.scroll_home(animate=False)

    def action_bottom(self) -> None:
        """Jump to the newest line and follow again."""
        self.follow = True
        self.scroll_end(animate=False, x_axis=False)

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        x = round(self.scroll_offset.x)
        text = self._lines[index]
        return Strip([Segment(text[x : x + width], base)]).extend_cell_length(width, base)
