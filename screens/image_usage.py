""" "Where does this run?": the Deployments whose pod templates use one image,
kept current from the cluster's watch-fed Deployment store."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from console.image_usage import ImageUse, deployments_using
from console.models import Deployment, Image, KubeObject
from console.state import ChangeSet, ResourceStore
from screens.widgets.columns import Column
from screens.widgets.header import ConsoleHeader
from screens.widgets.resource_table import ResourceTable
from screens.widgets.steady_footer import SteadyFooter

__all__ = ["ImageUsageScreen"]


class ImageUsageScreen(Screen[None]):
    """The Deployments running ``image`` (found by any of its tags or digests)."""

    CSS_PATH = "image_usage.tcss"
    AUTO_FOCUS = "#uses"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="image-usage.back"),
    ]

    def __init__(
        self, image: Image, reference: str, store: ResourceStore[KubeObject] | None
    ) -> None:
        super().__init__()
        self.image = image
        self.reference = reference
        self._store = store
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        columns: list[Column[ImageUse]] = [
            Column("deployment", "DEPLOYMENT", lambda u: u.deployment.key, 24, flex=1),
            Column("ready", "READY", lambda u: f"{u.deployment.ready}/{u.deployment.replicas}", 7),
            Column("image", "IMAGE AS NAMED", lambda u: u.reference, 24, flex=2, cut="middle"),
        ]
        yield ConsoleHeader()
        yield Static(f"Where does {self.reference} run?", id="title", markup=False)
        yield ResourceTable(columns, sort_key=lambda u: (u.deployment.key, u.reference),
                            id="uses")  # fmt: skip
        yield Static("", id="usage-message", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        if self._store is not None:
            self._unsubscribe = self._store.subscribe(self._changed)
        self._show()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _changed(self, store: ResourceStore[KubeObject], changes: ChangeSet[KubeObject]) -> None:
        self._show()

    def _show(self) -> None:
        message = self.query_one("#usage-message", Static)
        if self._store is None:
            message.update("Kubernetes is not configured: no cluster to look in.")
            return
        deployments = [d for d in self._store.items.values() if isinstance(d, Deployment)]
        uses = deployments_using(self.image, deployments)
        table = self.query_one("#uses", ResourceTable)
        table.replace_all({f"{u.deployment.key} {u.reference}": u for u in uses})
        if self._store.status != "synced":
            message.update("Loading deployments…")
        elif not uses:
            message.update(f"No deployment runs {self.reference}.")
        else:
            message.update(f"{len(uses)} deployment container(s) run this image.")
