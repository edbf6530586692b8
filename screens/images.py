"""The Images tab: repository, tag, id, size and age of every local image; its
layers, where it runs in the cluster, pushing it, and removing it (confirmed,
audited). One row per tag, as ``docker images`` prints them; untagged images
appear once, by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from adapters.base import AdapterError, Kind
from console.docker_actions import DockerAction, DockerOperation
from console.humanize import age
from console.image_usage import deployments_using
from console.models import Deployment, Image
from console.units import format_value
from screens.docker_flow import refuse_disabled_docker_key, run_docker_operation
from screens.image_history import ImageHistoryScreen
from screens.image_usage import ImageUsageScreen
from screens.operation_flow import read_only_disables
from screens.push import PushScreen
from screens.widgets.columns import Column
from screens.widgets.resource_table import ResourceTable

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = ["ImageRow", "ImagesView"]


@dataclass(frozen=True, slots=True)
class ImageRow:
    """One line of the table: an image under one of its tags ("" when untagged)."""

    image: Image
    reference: str

    @property
    def key(self) -> str:
        return self.reference or self.image.id

    @property
    def repository(self) -> str:
        return self.reference.rpartition(":")[0] if self.reference else "<none>"

    @property
    def tag(self) -> str:
        return self.reference.rpartition(":")[2] if self.reference else "<none>"


def image_rows(images: list[Image]) -> dict[str, ImageRow]:
    """The table's rows for ``images``, keyed by tag (or id when untagged)."""
    rows = [ImageRow(image, tag) for image in images for tag in image.tags or ("",)]
    return {row.key: row for row in rows}


class ImagesView(Vertical):
    """Local images of the Docker Engine."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "history", "Layers", id="images.history"),
        Binding("w", "where", "Where it runs", id="images.where"),
        Binding("p", "push", "Push", id="images.push"),
        Binding("d", "remove", "Remove", id="images.remove"),
        Binding("r", "reload", "Refresh", id="images.reload"),
    ]
    #: The keys that change the daemon's images, disabled in read-only mode.
    MUTATING: ClassVar[dict[str, DockerAction]] = {
        "push": DockerAction.PUSH, "remove": DockerAction.REMOVE_IMAGE,
    }

    @property
    def console(self) -> OpsConsoleApp:
        return cast("OpsConsoleApp", self.app)

    @property
    def table(self) -> ResourceTable[ImageRow]:
        return self.query_one("#images", ResourceTable)

    def compose(self) -> ComposeResult:
        now = self.console.clock
        columns: list[Column[ImageRow]] = [
            Column("repository", "REPOSITORY", lambda r: r.repository, 20, flex=3),
            Column("tag", "TAG", lambda r: r.tag, 8, flex=1, max_width=24),
            Column("id", "IMAGE ID", lambda r: r.image.short_id, 12),
            Column("size", "SIZE", lambda r: format_value(r.image.size, "bytes"), 8, align="right"),
            Column("created", "CREATED", lambda r: age(r.image.created, now()), 7, align="right"),
        ]
        yield ResourceTable(columns, sort_key=lambda r: (r.repository, r.tag), id="images")
        yield Static("", id="images-message", markup=False)

    def load(self) -> None:
        """Read the image list again (in a worker)."""
        self.run_worker(self._load(), group="images", exclusive=True, exit_on_error=False)

    async def _load(self) -> None:
        adapter = self.console.backends.containers
        if adapter is None:
            return
        try:
            images = await adapter.images()
        except AdapterError as exc:
            self.query_one("#images-message", Static).update(f"{exc.title}: {exc.detail}")
            return
        self.query_one("#images-message", Static).update("" if images else "No local images.")
        self.table.replace_all(image_rows(images))

    def on_resource_table_row_selected(self, event: ResourceTable.RowSelected) -> None:
        """``enter`` on a row (the table takes the key) opens it."""
        event.stop()
        if self.console.docker_health.state == "ok":
            self.action_history()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Every action needs the daemon: shown disabled while it does not answer;
        push and remove are shown disabled in read-only mode too."""
        if self.console.docker_health.state != "ok":
            return None
        return read_only_disables(self, action, self.MUTATING)

    def on_key(self, event: events.Key) -> None:
        refuse_disabled_docker_key(self, event, self.MUTATING)

    def _selected(self) -> ImageRow | None:
        key = self.table.cursor_key
        return self.table.row(key) if key else None

    def _deployments(self) -> list[Deployment]:
        store = self.console.cluster_store(Kind.DEPLOYMENT)
        return [d for d in store.items.values() if isinstance(d, Deployment)] if store else []

    def action_reload(self) -> None:
        """Refresh the list."""
        self.load()

    def action_history(self) -> None:
        """Show the selected image's layers."""
        row = self._selected()
        if row is not None:
            self.app.push_screen(ImageHistoryScreen(row.key, row.image))

    def action_where(self) -> None:
        """List the Deployments whose pods run the selected image."""
        row = self._selected()
        if row is not None:
            cluster = self.console.cluster_store(Kind.DEPLOYMENT)
            self.app.push_screen(ImageUsageScreen(row.image, row.key, cluster))

    def action_push(self) -> None:
        """Push the selected tag."""
        row = self._selected()
        if row is not None and row.reference:
            self.app.push_screen(PushScreen(row.reference))

    def action_remove(self) -> None:
        """Remove the selected tag (or untagged image), after confirmation."""
        row = self._selected()
        if row is not None:
            self.run_worker(self._remove(row), group="images-remove", exclusive=True,
                            exit_on_error=False)  # fmt: skip

    async def _remove(self, row: ImageRow) -> None:
        uses = deployments_using(row.image, self._deployments())
        warnings = [
            f"{use.deployment.key} runs this image ({use.reference}); its pods keep running, "
            "but a node without the image must pull it"
            for use in uses
        ]
        if len(row.image.tags) > 1:
            warnings.append(f"only the tag {row.key} goes; the image keeps its other tags")
        outcome = await run_docker_operation(self.screen, DockerOperation.remove_image(row.key),
                                             warnings)  # fmt: skip
        if outcome is not None:
            self.load()
