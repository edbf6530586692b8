"""ResourceTable on its own: in-place repaints, coalescing, cursor, selection."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App, ComposeResult

from console.state import ChangeSet
from screens.widgets.columns import Column
from screens.widgets.resource_table import ResourceTable


@dataclass(frozen=True)
class Item:
    key: str
    value: int = 0


def make_items(count: int) -> dict[str, Item]:
    return {f"row-{i:04d}": Item(f"row-{i:04d}", i) for i in range(count)}


class TableApp(App[None]):
    """A bare app holding one table and recording what it posts."""

    def __init__(self, rows: dict[str, Item]) -> None:
        super().__init__()
        self.rows = rows
        self.posted: list[tuple[str, str | None]] = []

    def compose(self) -> ComposeResult:
        columns = [
            Column[Item]("key", "KEY", lambda item: item.key, 10),
            Column[Item]("value", "VALUE", lambda item: str(item.value), 6, align="right"),
        ]
        yield ResourceTable(columns, sort_key=lambda item: item.key, repaint_interval=0.2)

    def on_mount(self) -> None:
        self.query_one(ResourceTable).replace_all(self.rows)

    def on_resource_table_row_selected(self, message: ResourceTable.RowSelected) -> None:
        self.posted.append(("selected", message.key))

    def on_resource_table_row_highlighted(self, message: ResourceTable.RowHighlighted) -> None:
        self.posted.append(("highlighted", message.key))


async def test_enter_posts_row_selected_for_the_row_under_the_cursor() -> None:
    app = TableApp(make_items(3))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
    assert ("highlighted", "row-0001") in app.posted
    assert app.posted[-1] == ("selected", "row-0001")


async def test_only_visible_rows_are_rendered_from_thousands() -> None:
    app = TableApp(make_items(5000))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(ResourceTable)
        assert table.row_count == 5000
        assert len(table._strips) <= 10
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_key == "row-4999"
        assert len(table._strips) <= 20


async def test_bursts_of_changes_are_coalesced_into_one_repaint() -> None:
    app = TableApp(make_items(20))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause(0.3)
        table = app.query_one(ResourceTable)
        flushes: list[int] = []
        original = table._flush

        def counting_flush() -> None:
            flushes.append(1)
            original()

        table._flush = counting_flush  # type: ignore[method-assign]
        for value in range(1, 11):
            table.apply(ChangeSet(upserted={"row-0003": Item("row-0003", value)}))
        await pilot.pause(0.5)
        assert len(flushes) <= 2
        assert table.cell_texts("row-0003") == ("row-0003", "10")


async def test_a_changed_row_repaints_only_its_own_line() -> None:
    app = TableApp(make_items(5))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause(0.3)
        table = app.query_one(ResourceTable)
        before = {key: table._strips.get(key) for key in ("row-0002", "row-0003")}
        table.apply(ChangeSet(upserted={"row-0003": Item("row-0003", 99)}))
        await pilot.pause(0.3)
        assert table._strips.get("row-0002") is before["row-0002"]
        assert table._strips.get("row-0003") is not before["row-0003"]
        assert table.cell_texts("row-0003") == ("row-0003", "99")
