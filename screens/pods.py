"""The Pods screen: the pods of one deployment, on one node, or every pod, live.

Pushed from the Deployments screen or the Nodes screen (``enter``). It
reads the app's watch-fed POD store into a keyed ``ResourceTable``; ``l`` follows
a pod's logs, ``d`` describes it, ``D`` deletes it (through the operations
pipeline, so refused in read-only mode and confirmed first).
"""

from __future__ import annotations

from typing import ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from adapters.base import Kind
from console.actions import Action, Operation
from console.models import Pod
from console.state import ResourceStore
from screens.describe import DescribeScreen
from screens.logs import LogsScreen
from screens.pod_columns import pod_columns, pod_detail, pod_sort_key, pods_filter
from screens.resource_screen import ResourceScreen
from screens.widgets.filter_bar import FilterBar
from screens.widgets.header import ConsoleHeader
from screens.widgets.resource_table import ResourceTable
from screens.widgets.rows import Changes
from screens.widgets.steady_footer import SteadyFooter


class PodsScreen(ResourceScreen[Pod]):
    """Pods of ``owner`` (a Deployment's name, in ``namespace``), the pods on
    ``node``, or every pod."""

    CSS_PATH = "pods.tcss"
    AUTO_FOCUS = "#pods"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="pods.back"),
        Binding("slash", "filter", "Filter", id="pods.filter", priority=True),
        Binding("l", "logs", "Logs", id="pods.logs"),
        Binding("d", "describe", "Describe", id="pods.describe"),
        Binding("D", "delete_pod", "Delete pod", id="pods.delete"),
    ]
    MUTATING = {"delete_pod": Action.DELETE_POD}

    def __init__(
        self, *, owner: str | None = None, namespace: str = "", node: str | None = None
    ) -> None:
        super().__init__()
        self.owner = owner
        self.namespace = namespace
        self.node = node
        self._store: ResourceStore[Pod] | None = None

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
        yield Static("", id="detail", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._narrow()
        store = self.console.cluster_store(Kind.POD)
        if store is not None:
            self._store = cast("ResourceStore[Pod]", store)
            self._follow(self._store, self._on_store_changed)
            self.table.replace_all(self._store.items)
        self._show_state()

    def _on_store_changed(self, store: object, changes: Changes[Pod]) -> None:
        super()._on_store_changed(store, changes)
        self._show_detail()

    def on_resource_table_row_highlighted(self) -> None:
        self._show_detail()

    def on_resource_table_rows_changed(self) -> None:
        super().on_resource_table_rows_changed()
        self._show_detail()

    def _show_detail(self) -> None:
        """Describe the pod under the cursor below the table, as it is now."""
        key = self.table.cursor_key
        pod = self.table.row(key) if key is not None else None
        detail = self.query_one("#detail", Static)
        detail.update("\n".join(pod_detail(pod)) if isinstance(pod, Pod) else "")
        detail.set_class(isinstance(pod, Pod), "-visible")

    def _narrow(self) -> None:
        """Keep the pods of the screen's owner or node that match the filter text."""
        text = self.query_one(FilterBar).value
        self.table.set_filter(pods_filter(self.owner, self.namespace, text, node=self.node))

    def _state_message(self) -> tuple[str, bool]:
        """Why no pod or a stale list is shown ("" when all is well), and whether
        it is an error."""
        store = self._store
        if store is None:
            return "Kubernetes is not configured: no cluster to list pods from.", True
        if store.status == "retrying" and store.error is not None:
            return f"{store.error.title}: {store.error.detail} — retrying", True
        if store.status == "connecting":
            return "Loading pods…", False
        if self.table.row_count == 0:
            return ("No pods match." if self.query_one(FilterBar).value else "No pods."), False
        return "", False

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
        self._run_operation(Operation.delete_pod(self.console.context, pod.namespace, pod.name))
