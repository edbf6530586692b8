"""The log view on its own: wrapping only what is in view, keeping its place."""

from __future__ import annotations

from textual.app import App, ComposeResult

from console.logbuffer import LogBuffer, LogLine
from screens.widgets.log_view import LogView

WIDTH, HEIGHT = 30, 6


class ViewApp(App[None]):
    """Just a ``LogView`` over ``buffer``, ``WIDTH`` x ``HEIGHT`` without scrollbars."""

    CSS = "LogView { scrollbar-size: 0 0; }"

    def __init__(self, buffer: LogBuffer) -> None:
        super().__init__()
        self.buffer = buffer

    def compose(self) -> ComposeResult:
        yield LogView(self.buffer)


def numbered(count: int, start: int = 0, long_every: int = 0) -> list[LogLine]:
    """Lines "line N"; every ``long_every``-th one is 50 characters long (two rows
    of a wrapped view)."""
    long = {n for n in range(start, start + count) if long_every and n % long_every == 0}
    return [
        LogLine.of("web", f"line {n}".ljust(50, "x") if n in long else f"line {n}")
        for n in range(start, start + count)
    ]


def rows(view: LogView) -> list[str]:
    """What each row of the view shows, without the padding."""
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


async def test_wrapping_a_full_buffer_ends_with_both_pieces_of_the_newest_line() -> None:
    buffer = LogBuffer()
    buffer.extend(numbered(10_000, long_every=9_999))
    app = ViewApp(buffer)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        view = app.query_one(LogView)
        view.wrap = True
        await pilot.pause()
        assert rows(view) == [
            "line 9995", "line 9996", "line 9997", "line 9998",
            "line 9999".ljust(WIDTH, "x"), "x" * (50 - WIDTH),
        ]  # fmt: skip


async def test_a_wrapped_view_scrolls_by_lines_and_pages_by_screenfuls() -> None:
    buffer = LogBuffer()
    buffer.extend(numbered(100, long_every=2))
    app = ViewApp(buffer)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        view = app.query_one(LogView)
        view.wrap = True
        await pilot.press("home")
        assert rows(view)[:3] == ["line 0".ljust(WIDTH, "x"), "x" * (50 - WIDTH), "line 1"]
        await pilot.press("down")
        assert rows(view)[0] == "line 1"
        assert rows(view)[-2:] == ["line 4".ljust(WIDTH, "x"), "x" * (50 - WIDTH)]
        await pilot.press("pagedown")
        assert rows(view)[0] == "line 5"
        await pilot.press("pageup")
        assert rows(view)[0] == "line 1"


async def test_a_scrolled_up_view_keeps_its_lines_in_place_as_older_ones_leave() -> None:
    buffer = LogBuffer(max_lines=50)
    buffer.extend(numbered(50))
    app = ViewApp(buffer)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        view = app.query_one(LogView)
        await pilot.press("up", "up", "up")
        before = rows(view)
        assert before[0] == "line 41"
        view.lines_changed(buffer.extend(numbered(10, start=50)))
        await pilot.pause()
        assert rows(view) == before and buffer.dropped == 10


async def test_a_following_view_shows_the_newest_lines_as_they_arrive() -> None:
    buffer = LogBuffer(max_lines=50)
    buffer.extend(numbered(50))
    app = ViewApp(buffer)
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        view = app.query_one(LogView)
        view.lines_changed(buffer.extend(numbered(10, start=50)))
        await pilot.pause()
        assert rows(view)[-1] == "line 59"
