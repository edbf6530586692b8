"""A chart legend fitted to two lines: thresholds first, the largest values next, and
"+N more" for the rest, never an entry split across lines."""

from __future__ import annotations

from screens.widgets.legend import Entry, fit, ordered


def series(name: str, value: float | None) -> Entry:
    shown = "-" if value is None else f"{value:g}%"
    return Entry("━", f"{name} {shown}", rank=value)


def test_series_are_ordered_by_value_largest_first_and_unvalued_last() -> None:
    entries = [series("a", 0), series("b", None), series("c", 23.1), series("d", 0.4)]
    assert [e.label for e in ordered(entries)] == ["c 23.1%", "d 0.4%", "a 0%", "b -"]


def test_everything_fits_on_one_line_when_there_is_room() -> None:
    text = fit([Entry("┄", "5%"), series("mistral", 23.1)], width=80)
    assert text.plain == "┄ 5%  ━ mistral 23.1%"


def test_entries_wrap_whole_and_the_rest_is_counted() -> None:
    entries = [series(f"deployment-{i:02d}", i) for i in range(20)]
    text = fit(entries, width=40)
    lines = text.plain.split("\n")
    assert len(lines) == 2
    assert all(len(line) <= 40 for line in lines)
    assert lines[0] == "━ deployment-00 0%  ━ deployment-01 1%"
    shown = sum(line.count("━") for line in lines)
    assert lines[1].endswith(f"+{20 - shown} more")
    assert "━ deployment-02 2%" in lines[1]


def test_an_entry_wider_than_the_line_is_cut_and_the_prefix_comes_first() -> None:
    text = fit([series("x" * 60, 1)], width=30, prefix="05:47:12")
    first, *rest = text.plain.split("\n")
    assert first == "05:47:12"
    assert rest == ["━ " + "x" * 27 + "…"]


def test_unlaid_out_legend_is_one_line_with_everything() -> None:
    entries = [series(f"s{i}", i) for i in range(30)]
    assert fit(entries, width=0).plain.count("━") == 30
