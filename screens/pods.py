"""The Pods screen: the pods of one deployment, on one node, or every pod, live.

Pushed from the Deployments screen or the Nodes screen (``enter``). It
reads the app's watch-fed POD store into a keyed ``ResourceTable``; ``l`` follows
a pod's logs, ``d`` describes it, ``D`` deletes it (through the operations
pipeline, so refused in read-only mode and confirmed first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from adapters.base import Kind
from console.actions import Action, Operation
from console.models import Pod
from console.state import ChangeSet, ResourceStore
from screens.describe import DescribeScreen
from screens.logs import LogsScreen
from screens.operation_flow import read_only_disables, refuse_disabled_key, run_operation
from screens.pod_columns import pod_columns, pod_sort_key, pods_filter
from screens.widgets.filter_bar import FilterBar
from screens.widgets.header import ConsoleHeader
from screens.widgets.resource_table import ResourceTable

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

MUTATING = {"delete_pod": Action.DELETE_POD}
AGE_REFRESH_SECONDS = 5.0


class PodsScreen(Screen[None]):
    """Pods of ``owner`` (a Deployment's name, in ``namespace``), the pods on
    ``node``, or every pod."""

    CSS_PATH = "pods.tcss"
    AUTO_FOCUS = "#pods"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="pods.back"),
        Binding("slash", "filter", "Filter", id="pods.filter"),
        Binding("l", "logs", "Logs", id="pods.logs"),
        Binding("d", "describe", "Describe", id="pods.describe"),
        Binding("D", "delete_pod", "Delete pod", id="pods.delete"),
    ]

    def __init__(
        self, *, owner: str | None = None, namespace: str = "", node: str | None = None
    ) -> None:
        super().__init__()
        self.owner = owner
        self.namespace = namespace
        self.node = node
        self._store: ResourceStore[Pod] | None = None
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def console(self) -> OpsConsoleApp:
        return cast("OpsConsoleApp", self.app)

    @property
    def table(self) -> ResourceTable[Pod]:
        return cast("ResourceTable[Pod]", self.query_one("#pods", ResourceTable))

    def selected_pod(self) -> Pod | None:
        """The pod under the cursor, or None when no row is shown."""
        key = self.table.cursor_key
        return self.table.row(key) if key is not None else None

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        title = "Pods"
        if self.owner:
            title = f"Pods of deployment {self.namespace}/{self.owner}"
        elif self.node is not None:
            title = f"Pods on node {self.node}"
        yield Static(title, id="title", markup=False)
        yield FilterBar("filter by name, node, status or image", id="filter")
        columns = pod_columns(self.console.clock, namespaces=not self.namespace)
        yield ResourceTable(columns, sort_key=pod_sort_key, id="pods")
        yield Static("", id="message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._narrow()
        store = self.console.cluster_store(Kind.POD)
        if store is not None:
            self._store = cast("ResourceStore[Pod]", store)
            self._unsubscribe = self._store.subscribe(self._on_store_changed)
            self.table.replace_all(self._store.items)
        self.set_interval(AGE_REFRESH_SECONDS, self._refresh_ages, name="ages")
        self._show_state()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _on_store_changed(self, store: ResourceStore[Pod], changes: ChangeSet[Pod]) -> None:
        if changes:
            self.table.apply(changes)
        self._show_state()

    def _refresh_ages(self) -> None:
        if self.is_current:
            self.table.refresh_cells()

    def on_resource_table_rows_changed(self) -> None:
        self._show_state()

    # ------------------------------------------------------------------ narrowing

    def action_filter(self) -> None:
        """Open the filter line."""
        self.query_one(FilterBar).open()

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FilterBar):
            self._narrow()

    def on_filter_bar_closed(self) -> None:
        self.table.focus()

    def _narrow(self) -> None:
        text = self.query_one(FilterBar).value
        self.table.set_filter(pods_filter(self.owner, self.namespace, text, node=self.node))

    def _show_state(self) -> None:
        message = self.query_one("#message", Static)
        text = ""
        if self._store is None:
            text = "Kubernetes is not configured: no cluster to list pods from."
        elif self._store.status == "retrying" and self._store.error is not None:
            text = f"{self._store.error.title}: {self._store.error.detail} — retrying"
        elif self._store.status == "connecting":
            text = "Loading pods…"
        elif self.table.row_count == 0:
            text = "No pods match." if self.query_one(FilterBar).value else "No pods."
        message.update(text)
        message.set_class(bool(text), "-visible")

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        """Return to the screen below."""
        self.dismiss()

    def action_logs(self) -> None:
        """Follow the selected pod's logs."""
        pod = self.selected_pod()
        if pod is not None:
            self.app.push_screen(LogsScreen(pod.namespace, [pod]))

    def action_describe(self) -> None:
        """Show the selected pod as YAML with its events."""
        pod = self.selected_pod()
        if pod is not None:
            self.app.push_screen(DescribeScreen(Kind.POD, pod.namespace, pod.name))

    def action_delete_pod(self) -> None:
        """Delete the selected pod, after its preview and a confirmation."""
        pod = self.selected_pod()
        if pod is None:
            return
        op = Operation.delete_pod(self.console.context, pod.namespace, pod.name)
        self.run_worker(run_operation(self, op), group="operation", exclusive=True,
                        exit_on_error=False)  # fmt: skip

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        return read_only_disables(self, action, MUTATING)

    def on_key(self, event: events.Key) -> None:
        refuse_disabled_key(self, event, MUTATING)
