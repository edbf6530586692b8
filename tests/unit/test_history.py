"""A prompt's history recalls entries as a shell does."""

from __future__ import annotations

from console.history import History


def test_up_recalls_entries_newest_first_and_stops_at_the_oldest() -> None:
    h = History()
    for entry in ("a", "b", "c"):
        h.add(entry)
    assert [h.older(), h.older(), h.older(), h.older()] == ["c", "b", "a", None]


def test_down_walks_back_to_a_fresh_line() -> None:
    h = History()
    h.add("a")
    h.add("b")
    h.older()
    h.older()
    assert [h.newer(), h.newer(), h.newer()] == ["b", "", ""]


def test_blank_entries_and_repeats_are_not_remembered_and_the_limit_holds() -> None:
    h = History(limit=2)
    for entry in ("a", "a", " ", "b", "c"):
        h.add(entry)
    assert h.entries == ["b", "c"]
