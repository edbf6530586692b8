"""The Nodes screen: every node, its GPUs and what its pods request of it, live.

It reads the app's watch-fed NODE and POD stores: a ``NodeUsageIndex`` folds each
pod change set into per-node requests and names the nodes it touched, and only
those rows of the keyed ``ResourceTable`` repaint. ``c`` cordons and ``u``
uncordons the node under the cursor through the operations pipeline (refused in
read-only mode, previewed, confirmed, audited); ``enter`` opens its pods.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from adapters.base import Kind
from console.actions import Action, Operation
from console.capacity import NodeAllocation, NodeUsageIndex, allocation
from console.models import Node, Pod
from console.state import ChangeSet, ResourceStore
from screens.node_columns import node_columns, node_filter, node_sort_key
from screens.pods import PodsScreen
from screens.resource_screen import ResourceScreen
from screens.widgets.filter_bar import FilterBar
from screens.widgets.header import ConsoleHeader
from screens.widgets.resource_table import ResourceTable
from screens.widgets.rows import PendingChanges
from screens.widgets.steady_footer import SteadyFooter


class NodesScreen(ResourceScreen[NodeAllocation]):
    """Nodes of the cluster with their GPU, CPU and memory allocation."""

    CSS_PATH = "nodes.tcss"
    AUTO_FOCUS = "#nodes"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="nodes.filter", priority=True),
        Binding("c", "cordon", "Cordon", id="nodes.cordon"),
        Binding("u", "uncordon", "Uncordon", id="nodes.uncordon"),
    ]
    MUTATING = {"cordon": Action.CORDON, "uncordon": Action.UNCORDON}

    def __init__(self) -> None:
        super().__init__()
        self._node_store: ResourceStore[Node] | None = None
        self._pod_store: ResourceStore[Pod] | None = None
        self._usage = NodeUsageIndex()

    def selected_node(self) -> Node | None:
        """The node under the cursor, or None when no row is shown."""
        key = self.table.cursor_key
        row = self.table.row(key) if key is not None else None
        return row.node if row is not None else None

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        yield FilterBar("filter by name, status, role or GPU", id="filter")
        yield ResourceTable(node_columns(self.console.clock), sort_key=node_sort_key, id="nodes")
        yield Static("", id="message", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        nodes = self.console.cluster_store(Kind.NODE)
        pods = self.console.cluster_store(Kind.POD)
        if nodes is not None and pods is not None:
            self._node_store = node_store = cast("ResourceStore[Node]", nodes)
            self._pod_store = pod_store = cast("ResourceStore[Pod]", pods)
            self._usage.apply(ChangeSet(dict(pod_store.items), reset=True))
            self.table.replace_all(self._rows(node_store.items.values()))
            self._follow(node_store, self._on_nodes_changed)
            self._follow(pod_store, self._on_pods_changed)
        self._show_state()

    # ------------------------------------------------------------------ live data

    def _rows(self, nodes: Iterable[Node]) -> dict[str, NodeAllocation]:
        return {node.name: allocation(node, self._usage.usage(node.name)) for node in nodes}

    def _on_nodes_changed(self, store: ResourceStore[Node], changes: ChangeSet[Node]) -> None:
        if changes:
            rows = self._rows(changes.upserted.values())
            self.table.apply(PendingChanges(rows, set(changes.deleted), changes.reset))
        self._show_state()

    def _on_pods_changed(self, store: ResourceStore[Pod], changes: ChangeSet[Pod]) -> None:
        """Repaint the rows of the nodes whose requests the pod changes moved."""
        touched = self._usage.apply(changes)
        nodes = self._node_store.items if self._node_store is not None else {}
        rows = self._rows(nodes[name] for name in touched if name in nodes)
        if rows:
            self.table.apply(PendingChanges(rows))
        self._show_state()

    def _narrow(self) -> None:
        """Keep the nodes whose name, status, roles or GPU hold the filter text."""
        self.table.set_filter(node_filter(self.query_one(FilterBar).value))

    def _state_message(self) -> tuple[str, bool]:
        """What is wrong with the nodes or with the pods their requests come from
        ("" when nothing is), and whether it is an error."""
        nodes, pods = self._node_store, self._pod_store
        if nodes is None or pods is None:
            return "Kubernetes is not configured: no cluster to list nodes from.", True
        if nodes.status == "retrying" and nodes.error is not None:
            error = nodes.error
            return f"{error.title}: {error.detail} — retrying (rows may be stale)", True
        if nodes.status == "connecting":
            return "Loading nodes…", False
        if not nodes.items:
            return "No nodes.", False
        if self.table.row_count == 0:
            return "No nodes match. Esc clears the filter.", False
        if pods.status == "retrying" and pods.error is not None:
            error = pods.error
            return f"{error.title}: {error.detail} — retrying (requests may be stale)", True
        if pods.status == "connecting":
            return "Loading pods: requests are not counted yet…", False
        return "", False

    # ------------------------------------------------------------------ actions

    def on_resource_table_row_selected(self, event: ResourceTable.RowSelected) -> None:
        """``enter`` on a node opens the pods running on it."""
        row = event.table.row(event.key)
        if isinstance(row, NodeAllocation):
            self.app.push_screen(PodsScreen(node=row.node.name))

    def action_cordon(self) -> None:
        """Mark the node unschedulable (preview and confirmation first); the pods
        already on it keep running."""
        self._set_unschedulable(True)

    def action_uncordon(self) -> None:
        """Let the scheduler place new pods on the node again."""
        self._set_unschedulable(False)

    def _set_unschedulable(self, unschedulable: bool) -> None:
        node = self.selected_node()
        if node is None:
            return
        if node.unschedulable == unschedulable:
            state = "already cordoned" if unschedulable else "not cordoned"
            self.notify(f"node {node.name} is {state}; nothing to change",
                        title="Nothing to do", markup=False)  # fmt: skip
            return
        self._run_operation(Operation.cordon(self.console.context, node.name,
                                             unschedulable=unschedulable))
