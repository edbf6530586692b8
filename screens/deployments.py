"""The Deployments screen: every deployment in every namespace, live.

It reads the app's watch-fed DEPLOYMENT store, applies each coalesced change to a
keyed ``ResourceTable`` (only changed rows repaint), narrows by the app's namespace
and the ``/`` filter, and says plainly when there is nothing to show and why.
"""

from __future__ import annotations

from typing import ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from adapters.base import Kind
from console.health import BackendHealth
from console.models import Deployment
from console.panels import for_deployment
from console.state import ResourceStore
from screens.deployment_actions import DeploymentActions, warm_up
from screens.deployment_columns import deployment_columns, deployment_filter, deployment_sort_key
from screens.widgets.filter_bar import FilterBar
from screens.widgets.header import ConsoleHeader
from screens.widgets.resource_table import ResourceTable
from screens.widgets.steady_footer import SteadyFooter


class DeploymentsScreen(DeploymentActions):
    """Deployments across the cluster, updated row by row as the store changes."""

    CSS_PATH = "deployments.tcss"
    AUTO_FOCUS = "#deployments"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter", priority=True),
        Binding("m", "metrics", "Metrics", id="deployments.metrics"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._store: ResourceStore[Deployment] | None = None

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        yield FilterBar("filter by namespace, name or image", id="filter")
        yield ResourceTable(
            deployment_columns(self.console.clock),
            sort_key=deployment_sort_key,
            id="deployments",
        )
        yield Static("", id="message", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        store = self.console.cluster_store(Kind.DEPLOYMENT)
        if store is not None:
            self._store = cast("ResourceStore[Deployment]", store)
            self._follow(self._store, self._on_store_changed)
            self.table.replace_all(self._store.items)
            self.run_worker(self._warm_up(self._store), group="warm-up", exit_on_error=False)
        self.watch(self.app, "namespace", self._narrow)
        self.watch(self.app, "kubernetes_health", self._show_state)

    async def _warm_up(self, store: ResourceStore[Deployment]) -> None:
        """Once the deployments are listed and painted, load what their keys open."""
        await store.wait_synced()
        self.call_after_refresh(warm_up)

    def action_metrics(self) -> None:
        """Open the charts of the deployment under the cursor (the config's
        per-deployment panel set: requests, errors, latency, GPU)."""
        from screens.metrics import MetricsScreen  # charts load on first use

        deployment = self.selected_deployment()
        if deployment is None:
            return
        panels = for_deployment(self.console.config.metrics.deployment_panels,
                                deployment.namespace, deployment.name)
        self.app.push_screen(MetricsScreen(panels, title=f"Deployment {deployment.key}"))

    def _narrow(self) -> None:
        """Keep the deployments of the app's namespace that match the filter text."""
        text = self.query_one(FilterBar).value
        self.table.set_filter(deployment_filter(self.console.namespace, text))
        self._show_state()

    def _state_message(self) -> tuple[str, bool]:
        """The message for the current state and whether it is an error."""
        app = self.console
        health: BackendHealth = app.kubernetes_health
        if self._store is None:
            return "Kubernetes is not configured: no cluster to list deployments from.", True
        if health.state == "connecting":
            return f"Connecting to {app.context or 'the cluster'}…", False
        if health.state == "retrying" and self._store.status != "retrying":
            retry = f" — retrying in {health.retry_in:g} s" if health.retry_in else " — retrying"
            return f"{health.title}: {health.detail}{retry}", True
        if self._store.status == "retrying" and self._store.error is not None:
            error = self._store.error
            return f"{error.title}: {error.detail} — retrying (rows may be stale)", True
        if self._store.status == "connecting":
            return "Loading deployments…", False
        if not self._store.items:
            where = f"namespace {app.namespace}" if app.namespace else "any namespace"
            return f"No deployments in {where}.", False
        if self.table.row_count == 0:
            text = self.query_one(FilterBar).value
            where = f" in namespace {app.namespace}" if app.namespace else ""
            what = f" match “{text}”" if text else ""
            hint = "Esc clears the filter, n switches namespace."
            return f"No deployments{what}{where}. {hint}", False
        return "", False
