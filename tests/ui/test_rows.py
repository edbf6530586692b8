"""The bookkeeping behind ResourceTable: order, in-place changes, cursor, layout."""

from __future__ import annotations

from dataclasses import dataclass

from console.state import ChangeSet
from screens.widgets.columns import Column, fit, layout
from screens.widgets.rows import PendingChanges, RowSet


@dataclass(frozen=True)
class Item:
    key: str
    rank: int = 0
    tag: str = ""


def row_set(*items: Item) -> RowSet[Item]:
    rows: RowSet[Item] = RowSet(lambda item: item.rank)
    rows.replace({item.key: item for item in items})
    return rows


def test_rows_are_ordered_by_the_sort_key_then_by_key() -> None:
    rows = row_set(Item("b", 1), Item("a", 1), Item("c", 0))
    assert rows.order == ["c", "a", "b"]


def test_a_text_only_change_is_reported_for_an_in_place_repaint() -> None:
    rows = row_set(Item("a", 1), Item("b", 2))
    assert rows.update({"b": Item("b", 2, tag="new")}, ()) == ["b"]
    assert rows.rows["b"].tag == "new"


def test_a_change_that_moves_a_row_rebuilds_the_order() -> None:
    rows = row_set(Item("a", 1), Item("b", 2))
    assert rows.update({"b": Item("b", 0)}, ()) is None
    assert rows.order == ["b", "a"]


def test_a_change_to_a_hidden_row_that_stays_hidden_repaints_nothing() -> None:
    rows = row_set(Item("a", 1), Item("b", 2, tag="x"))
    rows.set_filter(lambda item: item.tag != "x")
    assert rows.update({"b": Item("b", 5, tag="x")}, ()) == []


def test_the_cursor_returns_to_the_chosen_row_when_a_filter_is_cleared() -> None:
    rows = row_set(Item("a", 1), Item("b", 2), Item("c", 3))
    rows.place(2)
    rows.set_filter(lambda item: item.key == "a")
    assert rows.cursor == "a"
    rows.set_filter(None)
    assert rows.cursor == "c"


def test_the_cursor_lands_near_its_old_place_when_its_row_is_deleted() -> None:
    rows = row_set(Item("a", 1), Item("b", 2), Item("c", 3))
    rows.place(1)
    rows.update({}, ["b"])
    assert rows.cursor == "c"
    rows.update({}, ["c"])
    assert rows.cursor == "a"
    rows.update({}, ["a"])
    assert rows.cursor is None


def test_pending_changes_keep_each_keys_latest_state_and_a_reset_wins() -> None:
    pending: PendingChanges[Item] = PendingChanges()
    pending.merge(ChangeSet(upserted={"a": Item("a", 1)}))  # type: ignore[type-var]
    pending.merge(ChangeSet(deleted={"a"}))
    pending.merge(ChangeSet(upserted={"b": Item("b", 1)}))  # type: ignore[type-var]
    assert (pending.upserted, pending.deleted) == ({"b": Item("b", 1)}, {"a"})
    pending.merge(ChangeSet(upserted={"c": Item("c")}, reset=True))  # type: ignore[type-var]
    assert (pending.upserted, pending.deleted, pending.reset) == ({"c": Item("c")}, set(), True)


def test_spare_width_goes_to_flexible_columns_up_to_their_maximum() -> None:
    columns = [
        Column[Item]("a", "A", str, 5),
        Column[Item]("b", "B", str, 5, flex=1, max_width=8),
        Column[Item]("c", "C", str, 5, flex=1),
    ]
    assert layout(columns, 30) == [5, 8, 15]
    assert layout(columns, 10) == [5, 5, 5]


def test_cells_are_padded_or_cut_with_an_ellipsis() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abc", 5, "right") == "  abc"
    assert fit("abcdefgh", 5) == "abcd…"
    assert fit("llama3-70b-instruct-canary", 15, cut="middle") == "llama3-…-canary"
    assert fit("ab", 0) == ""


def test_flexible_columns_first_grow_to_their_widest_cell() -> None:
    columns = [
        Column[Item]("a", "A", str, 4, flex=1),
        Column[Item]("b", "B", str, 4, flex=1),
    ]
    assert layout(columns, 21, natural=[6, 30]) == [6, 14]
