"""A virtual, keyed table for live resource lists, drawn with Textual's line API.

Only the visible lines are rendered, each row's ``Strip`` is cached until that row
changes, and changes are coalesced so the table repaints at most a few times a
second. Rows are keyed by a stable id (``namespace/name``); the cursor follows its
key through updates, re-sorts and filters. ``DataTable`` is not used because its
``update_cell`` repaints the whole visible table and filling it with thousands of
fresh rows takes seconds (see STYLE.md, "Live data").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from time import monotonic
from typing import Any, ClassVar, Generic

from rich.cells import cell_len
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from screens.widgets.columns import Column, layout, paint, table_width
from screens.widgets.rows import Changes, PendingChanges, Row, RowSet


class ResourceTable(ScrollView, Generic[Row], can_focus=True):
    """Rows of one resource kind, keyed, sorted, filtered, updated in place."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page-down"),
        Binding("home,g", "edge(0)", "First row", show=False, id="table.first"),
        Binding("end,G", "edge(1)", "Last row", show=False, id="table.last"),
        Binding("enter", "select", "Open", show=False, id="table.select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header",
        "resource-table--cursor",
        "resource-table--ok",
        "resource-table--warning",
        "resource-table--error",
        "resource-table--muted",
    }

    DEFAULT_CSS = """
    ResourceTable {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        & > .resource-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .resource-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .resource-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .resource-table--ok { color: $text-success; }
        & > .resource-table--warning { color: $text-warning; }
        & > .resource-table--error { color: $text-error; }
        & > .resource-table--muted { color: $text-muted; }
    }
    """

    class RowHighlighted(Message):
        """The cursor moved onto the row ``key`` (None when the table became empty)."""

        def __init__(self, table: ResourceTable[Any], key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> ResourceTable[Any]:
            return self.table

    class RowSelected(Message):
        """The row ``key`` was chosen with ``enter`` or a click on the cursor row."""

        def __init__(self, table: ResourceTable[Any], key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> ResourceTable[Any]:
            return self.table

    class RowsChanged(Message):
        """Rows were added, removed, re-sorted or re-filtered (``row_count`` may differ)."""

        def __init__(self, table: ResourceTable[Any]) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> ResourceTable[Any]:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column[Row]],
        *,
        sort_key: Callable[[Row], Any],
        repaint_interval: float = 0.25,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns = list(columns)
        self._widths = [c.width for c in self._columns]
        #: The widest cell of each flexible column among the shown rows.
        self._natural = [len(c.label) for c in self._columns]
        self._set: RowSet[Row] = RowSet(sort_key)
        self._texts: dict[str, tuple[str, ...]] = {}
        self._strips: LRUCache[str, Strip] = LRUCache(2048)
        self._header: Strip | None = None
        self._pending: PendingChanges[Row] = PendingChanges()
        self._repaint_interval = repaint_interval
        self._flush_timer: Timer | None = None
        self._last_flush = 0.0

    # ------------------------------------------------------------------ reading

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor, or None when no row is shown."""
        return self._set.cursor

    @property
    def row_keys(self) -> list[str]:
        """The keys of the rows shown, in display order (a copy)."""
        return list(self._set.order)

    @property
    def row_count(self) -> int:
        """How many rows pass the filter."""
        return len(self._set.order)

    def row(self, key: str) -> Row | None:
        """The row ``key`` (shown or filtered out), or None if there is none."""
        return self._set.rows.get(key)

    def cell_texts(self, key: str) -> tuple[str, ...]:
        """The texts of row ``key``'s cells, as currently rendered. Raises ``KeyError``."""
        return self._texts.get(key) or self._cell_texts(self._set.rows[key])

    # ------------------------------------------------------------------ changing

    def replace_all(self, rows: Mapping[str, Row]) -> None:
        """Show exactly ``rows`` (a store's ``items``), at the next repaint."""
        self._pending = PendingChanges(dict(rows), set(), True)
        self._schedule_flush()

    def apply(self, changes: Changes[Row]) -> None:
        """Queue a store's ``ChangeSet``; the table repaints only the rows it touched,
        at most once per repaint interval."""
        self._pending.merge(changes)
        self._schedule_flush()

    def set_filter(self, predicate: Callable[[Row], bool] | None) -> None:
        """Show only rows for which ``predicate`` is true (all rows for None)."""
        self._reorder(lambda: self._set.set_filter(predicate))

    def sort(self, key: Callable[[Row], Any], *, reverse: bool = False) -> None:
        """Order rows by ``key`` (ties broken by the row key)."""
        self._reorder(lambda: self._set.set_sort(key, reverse))

    def move_cursor(self, key: str) -> None:
        """Put the cursor on row ``key`` if it is shown (otherwise nothing happens)."""
        if key in self._set.position:
            self._move_to(self._set.position[key])

    def refresh_cells(self) -> int:
        """Recompute the visible rows' texts (for cells that depend on time, such as
        ages) and repaint only the rows whose text changed. Returns how many did."""
        changed = 0
        for index in self._visible_indexes():
            key = self._set.order[index]
            texts = self._cell_texts(self._set.rows[key])
            if texts != self._texts.get(key):
                self._texts[key] = texts
                self._strips.discard(key)
                self.refresh_line(index + 1)
                changed += 1
        return changed

    # ------------------------------------------------------------------ applying

    def _schedule_flush(self) -> None:
        if self._flush_timer is not None:
            return
        delay = self._last_flush + self._repaint_interval - monotonic()
        if delay <= 0 or not self.is_mounted:
            self._flush()
        else:
            self._flush_timer = self.set_timer(delay, self._flush, name="repaint")

    def _flush(self) -> None:
        """Apply the pending changes: repaint changed lines, or everything when the
        order changed."""
        self._flush_timer = None
        self._last_flush = monotonic()
        pending, self._pending = self._pending, PendingChanges()
        for key in (*pending.upserted, *pending.deleted):
            self._texts.pop(key, None)
            self._strips.discard(key)
        if pending.reset:
            self._texts.clear()
            self._strips.clear()
            self._reorder(lambda: self._set.replace(pending.upserted))
            return
        before = self._set.cursor
        in_place = self._set.update(pending.upserted, pending.deleted)
        if in_place is None:
            self._after_reorder(before)
        elif self._measure(in_place):
            self._relayout()
        else:
            for key in in_place:
                self.refresh_line(self._set.position[key] + 1)

    def _reorder(self, change: Callable[[], None]) -> None:
        before = self._set.cursor
        change()
        self._after_reorder(before)

    def _after_reorder(self, cursor_before: str | None) -> None:
        """Resize the virtual canvas, keep the cursor in view, repaint, and tell the
        screen (``RowsChanged``, and ``RowHighlighted`` if the cursor's key changed)."""
        self._natural = [len(c.label) for c in self._columns]
        self._measure(self._set.order)
        self._relayout()
        if self._set.cursor is not None:
            self._scroll_into_view(self._set.cursor_index)
        self.refresh()
        if self._set.cursor != cursor_before:
            self.post_message(self.RowHighlighted(self, self._set.cursor))
        self.post_message(self.RowsChanged(self))

    # ------------------------------------------------------------------ cursor

    def _move_to(self, index: int) -> None:
        """Move the cursor (the operator's choice) to ``index`` and repaint both lines."""
        before, old_index = self._set.cursor, self._set.cursor_index
        self._set.place(index)
        if self._set.cursor == before:
            return
        self.refresh_line(old_index + 1)
        self._scroll_into_view(self._set.cursor_index)
        self.refresh_line(self._set.cursor_index + 1)
        self.post_message(self.RowHighlighted(self, self._set.cursor))

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_into_view(self, index: int) -> None:
        top = round(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + self._body_height():
            self.scroll_to(y=index - self._body_height() + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        """Move the cursor ``delta`` rows."""
        self._move_to(self._set.cursor_index + delta)

    def action_page(self, direction: int) -> None:
        """Move the cursor a page up (-1) or down (1)."""
        self._move_to(self._set.cursor_index + direction * self._body_height())

    def action_edge(self, end: int) -> None:
        """Move the cursor to the first (0) or last (1) row."""
        self._move_to(len(self._set.order) - 1 if end else 0)

    def action_select(self) -> None:
        """Post ``RowSelected`` for the row under the cursor."""
        if self._set.cursor is not None:
            self.post_message(self.RowSelected(self, self._set.cursor))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = round(self.scroll_y) + offset.y - 1
        if index >= len(self._set.order):
            return
        if index == self._set.cursor_index:
            self.action_select()
        else:
            self._move_to(index)

    # ------------------------------------------------------------------ drawing

    def _visible_indexes(self) -> range:
        top = round(self.scroll_y)
        return range(top, min(len(self._set.order), top + self._body_height()))

    def _total_width(self) -> int:
        return table_width(self._widths)

    def _on_resize(self, event: events.Resize) -> None:
        self._relayout()
        if self._set.cursor is not None:
            self._scroll_into_view(self._set.cursor_index)

    def _measure(self, keys: Iterable[str]) -> bool:
        """Widen the flexible columns' natural widths to the cells of ``keys``; returns
        whether any grew."""
        grew = False
        flexible = [i for i, c in enumerate(self._columns) if c.flex]
        for key in keys:
            row = self._set.rows[key]
            for i in flexible:
                width = cell_len(self._columns[i].cell(row))
                if width > self._natural[i]:
                    self._natural[i], grew = width, True
        return grew

    def _relayout(self) -> None:
        """Fit the columns to the current width and content; repaint everything when
        any column's width changed."""
        widths = layout(self._columns, self.scrollable_content_region.width, self._natural)
        if widths != self._widths:
            self._widths = widths
            self._strips.clear()
            self._header = None
            self.refresh()
        self.virtual_size = Size(self._total_width(), len(self._set.order) + 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._header = None
        self.refresh()

    def _cell_texts(self, row: Row) -> tuple[str, ...]:
        return tuple(column.cell(row) for column in self._columns)

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(f"resource-table--{component}")

    def _header_strip(self) -> Strip:
        if self._header is None:
            style = self._style("header")
            labels = [c.label for c in self._columns]
            self._header = paint(self._columns, self._widths, labels, style)
        return self._header

    def _row_strip(self, key: str, cursor: bool = False) -> Strip:
        """Row ``key`` drawn in the table's colours with its cells' tones (cached), or,
        for the cursor row, all in the cursor's colours (not cached)."""
        strip = None if cursor else self._strips.get(key)
        if strip is None:
            row = self._set.rows[key]
            texts = self._texts.get(key) or self._cell_texts(row)
            self._texts[key] = texts
            if cursor:
                strip = paint(self._columns, self._widths, texts, self._style("cursor"))
            else:
                strip = paint(self._columns, self._widths, texts, self.rich_style, row, self._style)
            if not cursor:
                self._strips[key] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        """The header at line 0, then the rows under the vertical scroll offset."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            strip = self._header_strip()
        else:
            index = scroll_y + y - 1
            if index >= len(self._set.order):
                return Strip.blank(width, base)
            key = self._set.order[index]
            strip = self._row_strip(key, cursor=key == self._set.cursor)
        return strip.crop_extend(scroll_x, scroll_x + width, base)
