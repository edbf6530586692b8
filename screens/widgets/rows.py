"""Keyed rows in display order, and a cursor that follows its key.

The bookkeeping behind ``ResourceTable``, free of Textual so it can be tested on
its own: which rows pass the filter, in which order, which changes move a row
(a full repaint) and which only change its text (a one-line repaint), and where
the cursor lands when its row moves or disappears.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

#: The type of one row (a domain model such as ``Deployment``).
Row = TypeVar("Row")
Row_co = TypeVar("Row_co", covariant=True)


class Changes(Protocol[Row_co]):
    """What changed in a keyed collection; ``console.state.ChangeSet`` is one.
    ``reset`` means ``upserted`` holds every row and anything else is gone."""

    @property
    def upserted(self) -> Mapping[str, Row_co]: ...

    @property
    def deleted(self) -> AbstractSet[str]: ...

    @property
    def reset(self) -> bool: ...


@dataclass(slots=True)
class PendingChanges(Generic[Row]):
    """Store changes received since the last repaint, merged so that only each key's
    latest state is kept; a reset discards everything merged before it."""

    upserted: dict[str, Row] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    reset: bool = False

    def merge(self, changes: Changes[Row]) -> None:
        """Fold a store's ``ChangeSet`` (or any ``Changes``) into these pending changes."""
        if changes.reset:
            self.upserted, self.deleted, self.reset = dict(changes.upserted), set(), True
            return
        for key in changes.deleted:
            self.upserted.pop(key, None)
            self.deleted.add(key)
        for key, row in changes.upserted.items():
            self.deleted.discard(key)
            self.upserted[key] = row


class RowSet(Generic[Row]):
    """Rows keyed by a stable id, filtered by a predicate, sorted by a key function."""

    def __init__(self, sort_key: Callable[[Row], Any]) -> None:
        self.rows: dict[str, Row] = {}
        #: Keys of the rows that pass the filter, in display order.
        self.order: list[str] = []
        #: Display index of each key in ``order``.
        self.position: dict[str, int] = {}
        #: The key under the cursor (None when nothing is shown).
        self.cursor: str | None = None
        #: The cursor's display index (kept when its row goes, to land nearby).
        self.cursor_index = 0
        self._wanted: str | None = None
        self._sort_key = sort_key
        self._reverse = False
        self._predicate: Callable[[Row], bool] | None = None

    # ------------------------------------------------------------------ changes

    def replace(self, rows: Mapping[str, Row]) -> None:
        """Hold exactly ``rows`` and rebuild the order."""
        self.rows = dict(rows)
        self.rebuild()

    def update(self, upserted: Mapping[str, Row], deleted: Iterable[str]) -> list[str] | None:
        """Apply changes. Returns the shown keys whose text alone changed (repaint
        those lines), or None when rows were added, removed, re-ordered, or crossed
        the filter (the order was rebuilt; repaint everything)."""
        rebuild = False
        for key in deleted:
            if self.rows.pop(key, None) is not None and key in self.position:
                rebuild = True
        in_place: list[str] = []
        for key, row in upserted.items():
            old = self.rows.get(key)
            self.rows[key] = row
            if old is None or self._moves(key, old, row):
                rebuild = True
            elif key in self.position:
                in_place.append(key)
        if rebuild:
            self.rebuild()
            return None
        return in_place

    def set_filter(self, predicate: Callable[[Row], bool] | None) -> None:
        """Show only rows for which ``predicate`` is true (all for None)."""
        self._predicate = predicate
        self.rebuild()

    def set_sort(self, key: Callable[[Row], Any], reverse: bool = False) -> None:
        """Order rows by ``key`` (ties broken by the row key)."""
        self._sort_key, self._reverse = key, reverse
        self.rebuild()

    def rebuild(self) -> None:
        """Re-filter and re-sort every row; the cursor stays on the key the operator
        last chose if it is shown, else on its current key, else near its index."""
        order = [key for key, row in self.rows.items() if self._accepts(row)]
        order.sort(key=lambda key: self._order_key(key, self.rows[key]), reverse=self._reverse)
        self.order = order
        self.position = {key: i for i, key in enumerate(order)}
        if self._wanted in self.position:
            index = self.position[self._wanted]
        elif self.cursor in self.position:
            index = self.position[self.cursor]
        else:
            index = min(self.cursor_index, len(order) - 1)
        self.place(max(index, 0), chosen=False)

    # ------------------------------------------------------------------ cursor

    def place(self, index: int, *, chosen: bool = True) -> None:
        """Put the cursor on display row ``index`` (clamped). ``chosen`` records the
        row as the operator's choice, which the cursor returns to when a filter that
        hid it is cleared."""
        if not self.order:
            self.cursor_index, self.cursor = 0, None
            return
        self.cursor_index = max(0, min(len(self.order) - 1, index))
        self.cursor = self.order[self.cursor_index]
        if chosen:
            self._wanted = self.cursor

    # ------------------------------------------------------------------ internals

    def _order_key(self, key: str, row: Row) -> tuple[Any, str]:
        return (self._sort_key(row), key)

    def _accepts(self, row: Row) -> bool:
        return self._predicate is None or self._predicate(row)

    def _moves(self, key: str, old: Row, new: Row) -> bool:
        """Whether replacing ``old`` by ``new`` changes the row's place or visibility."""
        shown_before, shown_now = self._accepts(old), self._accepts(new)
        if shown_before != shown_now:
            return True
        return shown_now and self._order_key(key, old) != self._order_key(key, new)
