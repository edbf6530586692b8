"""Column specifications for ``ResourceTable``, the arithmetic of laying them out,
and painting one line of cells.

Kept apart from the widget so the layout rules (minimum widths, flexible shares,
truncation with an ellipsis) read on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from screens.widgets.rows import Row

#: A cell's colour role; each maps to a component class styled with theme variables.
Tone = Literal["ok", "warning", "error", "muted"]

#: Cells between two columns.
GAP = 1


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column: its header ``label``, how to turn a row into ``cell`` text, and how
    wide it is. ``width`` is the minimum; columns with a ``flex`` share take the spare
    width in proportion, up to ``max_width``. A column with ``hide_below`` is left out
    of tables narrower than that, to leave room for the ones that matter more.
    ``tone`` may colour a cell by its row (``None`` keeps the table's own colour);
    ``cut`` says where a too-long cell loses characters (see ``fit``)."""

    key: str
    label: str
    cell: Callable[[Row], str]
    width: int
    flex: int = 0
    max_width: int | None = None
    align: Literal["left", "right"] = "left"
    tone: Callable[[Row], Tone | None] | None = None
    hide_below: int = 0
    cut: Literal["end", "middle"] = "end"


def layout(
    columns: Sequence[Column[Row]], available: int, natural: Sequence[int] | None = None
) -> list[int]:
    """The width of each column for a table ``available`` cells wide.

    Columns whose ``hide_below`` exceeds ``available`` get width 0 (hidden). Every
    other column gets at least its ``width`` (the table scrolls sideways when even
    that does not fit). The spare width goes to the ``flex`` columns by their
    weights: first up to ``natural`` (each column's widest cell, when known), so no
    column is cut while another has room to spare, then up to ``max_width``.
    Returns one width per column.
    """
    widths = [0 if available < c.hide_below else max(len(c.label), c.width) for c in columns]
    spare = available - table_width(widths)
    caps = [_cap(c) for c in columns]
    if natural is not None:
        wanted = [min(cap, max(w, n)) for cap, w, n in zip(caps, widths, natural, strict=True)]
        spare = _share(columns, widths, spare, wanted)
    _share(columns, widths, spare, caps)
    return widths


def _share(
    columns: Sequence[Column[Row]], widths: list[int], spare: int, limits: Sequence[int]
) -> int:
    """Grow the shown flex columns of ``widths`` in place by their weights, each up to
    its limit, using at most ``spare`` cells. Returns the cells left over."""
    growing = [i for i, c in enumerate(columns) if c.flex > 0 and 0 < widths[i] < limits[i]]
    while spare > 0 and growing:
        weight = sum(columns[i].flex for i in growing)
        given = 0
        for i in growing:
            share = max(1, spare * columns[i].flex // weight)
            room = min(share, limits[i] - widths[i], spare - given)
            widths[i] += room
            given += room
        spare -= given
        growing = [i for i in growing if widths[i] < limits[i]]
        if given == 0:
            break
    return spare


def table_width(widths: Sequence[int]) -> int:
    """Cells taken by columns of ``widths`` (0 = hidden) and the gaps between them."""
    shown = [w for w in widths if w]
    return sum(shown) + GAP * max(0, len(shown) - 1)


def _cap(column: Column[Row]) -> int:
    return column.max_width if column.max_width is not None else 1 << 16


def fit(
    text: str,
    width: int,
    align: Literal["left", "right"] = "left",
    cut: Literal["end", "middle"] = "end",
) -> str:
    """``text`` padded to exactly ``width`` cells, or, when longer, shortened with a
    ``…`` at the end or (``cut="middle"``) in the middle, which keeps suffixes such as
    ``-canary`` or an image tag readable. Right alignment pads on the left."""
    length = cell_len(text)
    if length > width:
        if width <= 0:
            return ""
        if cut == "middle" and width >= 5:
            tail = (width - 1) // 2
            head = width - 1 - tail
            return set_cell_size(text, head) + "…" + _last_cells(text, tail)
        return set_cell_size(text, width - 1) + "…"
    padding = " " * (width - length)
    return padding + text if align == "right" else text + padding


def _last_cells(text: str, cells: int) -> str:
    """The end of ``text`` that fits in ``cells`` cells, padded on the left to exactly
    ``cells`` when a double-width character did not fit."""
    end = ""
    for char in reversed(text):
        if cell_len(char + end) > cells:
            break
        end = char + end
    return " " * (cells - cell_len(end)) + end


def paint(
    columns: Sequence[Column[Row]],
    widths: Sequence[int],
    texts: Sequence[str],
    base: Style,
    row: Row | None = None,
    tone_style: Callable[[Tone], Style] | None = None,
) -> Strip:
    """One table line: each text fitted to its column's width and alignment, in
    ``base`` style, coloured by the column's tone for ``row`` when ``tone_style``
    maps tones to styles; hidden (0-wide) columns are skipped. Returns a ``Strip``
    ``table_width(widths)`` cells wide."""
    segments: list[Segment] = []
    for column, width, text in zip(columns, widths, texts, strict=True):
        if not width:
            continue
        if segments:
            segments.append(Segment(" " * GAP, base))
        tone = column.tone(row) if column.tone and row is not None and tone_style else None
        style = base + tone_style(tone) if tone and tone_style else base
        segments.append(Segment(fit(text, width, column.align, column.cut), style))
    return Strip(segments, table_width(widths)).simplify()
