"""The Builds area: builds, images and containers of the Docker Engine, in three tabs.

The build history is a local file, so it shows whether or not Docker answers. A
missing or unreachable daemon degrades only this area: a message names the
endpoint and the reason (from the app's ``docker_health``), the Docker actions are
disabled, and the lists load once the daemon answers again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static, TabbedContent, TabPane

from console.build_history import BuildHistory
from console.health import BackendHealth
from screens.build_list import BuildList
from screens.containers import ContainersView
from screens.images import ImagesView
from screens.widgets.header import ConsoleHeader
from screens.widgets.resource_table import ResourceTable
from screens.widgets.steady_footer import SteadyFooter

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = ["BuildsScreen"]

#: The table each tab focuses when shown.
_TABLES = {"builds": "history", "images": "images", "containers": "containers"}


class BuildsScreen(Screen[None]):
    """Builds, Images and Containers, over the app's ``ContainerAdapter``."""

    CSS_PATH = "builds.tcss"
    AUTO_FOCUS = "#history"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("B", "tab('builds')", "Builds", id="docker.builds"),
        Binding("I", "tab('images')", "Images", id="docker.images"),
        Binding("C", "tab('containers')", "Containers", id="docker.containers"),
    ]

    def __init__(self, history: BuildHistory | None = None) -> None:
        super().__init__()
        self.history = history or BuildHistory()
        self._loaded = False

    @property
    def console(self) -> OpsConsoleApp:
        return cast("OpsConsoleApp", self.app)

    @property
    def docker_ready(self) -> bool:
        """Whether the daemon answered its last check."""
        return self.console.docker_health.state == "ok"

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        yield Static("", id="docker-message", markup=False)
        with TabbedContent(initial="builds-tab", id="tabs"):
            with TabPane("Builds", id="builds-tab"):
                yield BuildList(self.history, id="build-list")
            with TabPane("Images", id="images-tab"):
                yield ImagesView(id="images-view")
            with TabPane("Containers", id="containers-tab"):
                yield ContainersView(id="containers-view")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "docker_health", self._health_changed)

    def action_tab(self, tab: str) -> None:
        """Show the ``tab`` tab (builds, images or containers)."""
        self.query_one(TabbedContent).active = f"{tab}-tab"

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = (event.pane.id or "").removesuffix("-tab")
        self.query_one(f"#{_TABLES[tab]}", ResourceTable).focus()
        self._activate(tab)

    def on_screen_suspend(self) -> None:
        self.query_one(ContainersView).deactivate()

    def on_screen_resume(self) -> None:
        self.query_one(BuildList).show_running()
        self._activate(self.query_one(TabbedContent).active.removesuffix("-tab"))

    def _activate(self, tab: str) -> None:
        """Load what the shown tab needs; stop the containers' streams when hidden."""
        containers = self.query_one(ContainersView)
        if tab != "containers" or not self.docker_ready:
            containers.deactivate()
        if not self.docker_ready:
            return
        if tab == "images":
            self.query_one(ImagesView).load()
        elif tab == "containers" and not containers.active:
            containers.activate()

    def _health_changed(self, health: BackendHealth) -> None:
        message = self.query_one("#docker-message", Static)
        text = _health_text(health, self.console.backends.containers is not None)
        message.update(text)
        self.set_class(bool(text), "-docker-down")
        self.set_class(health.state == "retrying", "-docker-error")
        self.refresh_bindings()  # the footer shows the bindings of all the views at once
        self._activate(self.query_one(TabbedContent).active.removesuffix("-tab"))


def _health_text(health: BackendHealth, configured: bool) -> str:
    """The degraded-area message for ``health`` ("" when Docker answers)."""
    if not configured:
        return "Docker is not configured (docker.host in config, or DOCKER_HOST)."
    match health.state:
        case "ok":
            return ""
        case "retrying":
            retry = f" — retrying in {health.retry_in:g} s" if health.retry_in else " — retrying"
            return f"{health.title}: {health.detail}{retry}. Build history stays available."
        case _:
            return "Connecting to Docker…"
