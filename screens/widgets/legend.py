"""A chart's legend fitted to its lines: thresholds first, then the series by value,
largest first, and "+N more" for what does not fit.

An on-call reader looks at the legend for the series that stands out: the deployment
at 23 % errors must not be the one left off after twenty at 0 %. So the series are
ordered by the value shown (newest, or at the cursor), and an entry is never split
between two lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

GAP = "  "


@dataclass(frozen=True, slots=True)
class Entry:
    """One item: its ``mark`` ("━" for a series, "┄" for a threshold) in ``style``,
    then ``label`` (name and value). ``rank`` orders the series (None: no value)."""

    mark: str
    label: str
    style: Style | None = None
    rank: float | None = None


def ordered(series: Sequence[Entry]) -> list[Entry]:
    """``series`` by rank, largest first; those without a value last, in their order."""
    valued = sorted((e for e in series if e.rank is not None), key=lambda e: -(e.rank or 0.0))
    return valued + [e for e in series if e.rank is None]


def fit(entries: Sequence[Entry], width: int, lines: int = 2, prefix: str = "") -> Text:
    """``prefix`` and as many ``entries`` as fit whole in ``lines`` lines of
    ``width`` cells, then "+N more" when some were left out. An entry wider than a
    line is cut with "…". ``width`` <= 0 (not laid out yet) puts everything on one
    line."""
    if width <= 0:
        width, lines = 10**6, 1
    rows: list[list[Entry]] = [[]]
    for entry in entries:
        if _length(rows[-1] + [entry], width, prefix if len(rows) == 1 else "") > width:
            if len(rows) == lines:
                break
            rows.append([])
        rows[-1].append(entry)
    left = len(entries) - sum(len(row) for row in rows)
    last_prefix = prefix if len(rows) == 1 else ""
    # Make room for the count on the last line, dropping its last entries if need be.
    while left and rows[-1] and _length(rows[-1], width, last_prefix, f"+{left} more") > width:
        rows[-1].pop()
        left += 1
    return _render(rows, width, prefix, f"+{left} more" if left else "")


def _label(entry: Entry, width: int) -> str:
    """The entry's text, cut with "…" to fit one line."""
    text = f"{entry.mark} {entry.label}"
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _length(row: Sequence[Entry], width: int, prefix: str = "", more: str = "") -> int:
    """Cells taken by ``prefix``, ``row`` and ``more``, joined by gaps."""
    parts = [p for p in (prefix, *(_label(e, width) for e in row), more) if p]
    return len(GAP.join(parts))


def _render(rows: list[list[Entry]], width: int, prefix: str, more: str) -> Text:
    lines = []
    for number, row in enumerate(rows):
        pieces = [Text(prefix, style="bold")] if number == 0 and prefix else []
        for entry in row:
            piece = Text(_label(entry, width))
            if entry.style is not None:
                piece.stylize(entry.style, 0, len(entry.mark))
            pieces.append(piece)
        if more and number == len(rows) - 1:
            pieces.append(Text(more, style="italic"))
        lines.append(Text(GAP).join(pieces))
    return Text("\n", no_wrap=True, overflow="ellipsis").join(lines)
