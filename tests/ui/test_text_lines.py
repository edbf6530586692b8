"""The text lines view over a bounded deque: following the newest line, and keeping
the lines being read in place while older ones are dropped."""

from __future__ import annotations

from collections import deque

from textual.app import App, ComposeResult

from screens.widgets.text_lines import TextLines

KEPT = 100


class OneView(App[None]):
    def compose(self) -> ComposeResult:
        yield TextLines(id="view")


def add(lines: deque[str], start: int, count: int) -> int:
    """Append lines ``start`` … ``start + count - 1``; returns how many fell off."""
    dropped = max(0, len(lines) + count - KEPT)
    lines.extend(f"line {n}" for n in range(start, start + count))
    return dropped


def top_line(view: TextLines) -> str:
    return view.render_line(0).text.strip()


async def test_the_view_follows_the_newest_line_as_lines_arrive() -> None:
    lines: deque[str] = deque(maxlen=KEPT)
    async with OneView().run_test(size=(40, 12)) as pilot:
        view = pilot.app.query_one(TextLines)
        add(lines, 0, 5)
        view.show(lines)
        await pilot.pause()
        dropped = add(lines, 5, 200)
        view.show(lines, dropped=dropped)
        await pilot.pause()
        bottom = view.render_line(view.scrollable_content_region.height - 1).text.strip()
        assert bottom == "line 204"


async def test_scrolled_up_the_lines_in_view_stay_put_while_older_ones_are_dropped() -> None:
    lines: deque[str] = deque(maxlen=KEPT)
    async with OneView().run_test(size=(40, 12)) as pilot:
        view = pilot.app.query_one(TextLines)
        dropped = add(lines, 0, KEPT)
        view.show(lines, dropped=dropped)
        await pilot.pause()
        view.focus()
        await pilot.press("pageup")
        reading = top_line(view)
        assert not view.follow and reading != "line 0"

        dropped += add(lines, KEPT, 20)
        view.show(lines, dropped=dropped)
        await pilot.pause()
        assert top_line(view) == reading
        assert len(view.lines) == KEPT
