"""The layers of one image, newest first, as ``docker history`` lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from adapters.base import AdapterError
from console.humanize import age
from console.models import Image, ImageLayer
from console.units import format_value
from screens.widgets.columns import Column
from screens.widgets.header import ConsoleHeader
from screens.widgets.resource_table import ResourceTable
from screens.widgets.steady_footer import SteadyFooter

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = ["ImageHistoryScreen"]


class ImageHistoryScreen(Screen[None]):
    """Each layer's id, age, size and the instruction that created it."""

    CSS_PATH = "image_history.tcss"
    AUTO_FOCUS = "#layers"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="image-history.back"),
    ]

    def __init__(self, reference: str, image: Image) -> None:
        super().__init__()
        self.reference = reference
        self.image = image

    def compose(self) -> ComposeResult:
        now = cast("OpsConsoleApp", self.app).clock
        columns: list[Column[tuple[int, ImageLayer]]] = [
            Column("id", "LAYER", lambda r: r[1].id.removeprefix("sha256:")[:12], 12),
            Column("created", "CREATED", lambda r: age(r[1].created, now()), 7, align="right"),
            Column("size", "SIZE", lambda r: format_value(r[1].size, "bytes"), 9, align="right"),
            Column("by", "CREATED BY", lambda r: r[1].created_by, 30, flex=1),
        ]
        yield ConsoleHeader()
        yield Static(f"History of {self.reference} ({self.image.short_id})", id="title",
                     markup=False)  # fmt: skip
        yield ResourceTable(columns, sort_key=lambda r: r[0], id="layers")
        yield Static("Loading layers…", id="layer-detail", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.run_worker(self._load(), group="history", exclusive=True, exit_on_error=False)

    async def _load(self) -> None:
        adapter = cast("OpsConsoleApp", self.app).backends.containers
        detail = self.query_one("#layer-detail", Static)
        if adapter is None:
            return
        try:
            layers = await adapter.image_history(self.image.id)
        except AdapterError as exc:
            detail.update(f"{exc.title}: {exc.detail}")
            self.add_class("-error")
            return
        rows = {str(i): (i, layer) for i, layer in enumerate(layers)}
        self.query_one("#layers", ResourceTable).replace_all(rows)
        detail.update(f"{len(layers)} layers")

    def on_resource_table_row_highlighted(self, event: ResourceTable.RowHighlighted) -> None:
        row = self.query_one("#layers", ResourceTable).row(event.key) if event.key else None
        if row is not None:
            layer: ImageLayer = row[1]
            comment = f"\n{layer.comment}" if layer.comment else ""
            self.query_one("#layer-detail", Static).update(f"{layer.created_by}{comment}")
