"""The keys that act on the deployment under the cursor, for any screen listing them.

``DeploymentActions`` is a ``ResourceScreen`` base class: a screen whose
``ResourceTable`` lists ``Deployment`` rows inherits ``enter`` (its pods), ``l``
(logs of all its pods), ``d`` (describe), ``s`` (scale), ``r`` (rollback) and
``R`` (restart). Mutating keys show disabled in read-only mode and, when pressed,
say why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType

from adapters.base import AdapterError, Kind
from console.actions import Action, Operation
from console.models import Deployment, Hpa, Pod
from console.rollout import hpa_for
from screens.operation_flow import run_operation
from screens.resource_screen import ResourceScreen
from screens.widgets.resource_table import ResourceTable

# The screens these keys open (and what they import: YAML, diffs, the log buffer) are
# imported when a key first asks for one, and warmed once the console is idle
# (``warm_up``), so that none of them delays the first frame.

__all__ = ["DeploymentActions"]

#: Seconds the scale dialog waits for the namespace's HPAs before opening without.
HPA_TIMEOUT = 3.0


class DeploymentActions(ResourceScreen[Deployment]):
    """Pods, logs, describe, scale, rollback and restart of the selected deployment."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "logs", "Logs", id="deployments.logs"),
        Binding("d", "describe", "Describe", id="deployments.describe"),
        Binding("s", "scale", "Scale", id="deployments.scale"),
        Binding("r", "rollback", "Rollback", id="deployments.rollback"),
        Binding("R", "restart", "Restart", id="deployments.restart"),
    ]
    MUTATING = {"scale": Action.SCALE, "rollback": Action.ROLLBACK, "restart": Action.RESTART}

    def selected_deployment(self) -> Deployment | None:
        """The deployment under the cursor of the screen's table, or None."""
        key = self.table.cursor_key
        return self.table.row(key) if key is not None else None

    def on_resource_table_row_selected(self, event: ResourceTable.RowSelected) -> None:
        """``enter`` on a deployment opens its pods."""
        row = event.table.row(event.key)
        if isinstance(row, Deployment):
            from screens.pods import PodsScreen

            self.app.push_screen(PodsScreen(owner=row.name, namespace=row.namespace))

    def action_logs(self) -> None:
        """Follow the logs of every pod of the deployment, interleaved."""
        d = self.selected_deployment()
        if d is not None:
            self.run_worker(self._logs(d), group="open-logs", exclusive=True, exit_on_error=False)

    async def _logs(self, deployment: Deployment) -> None:
        store = self.console.cluster_store(Kind.POD)
        if store is None:
            return
        try:
            await store.wait_synced(timeout=10)
        except TimeoutError:
            self.notify("the pods did not load in time; try again", severity="warning")
            return
        from screens.logs import LogsScreen
        from screens.pod_columns import owned_by_deployment

        d = deployment
        pods = sorted(
            (p for p in store.items.values() if isinstance(p, Pod) and p.namespace == d.namespace
             and owned_by_deployment(p, d.name)),
            key=lambda p: p.name,
        )  # fmt: skip
        if not pods:
            self.notify(f"deployment {d.namespace}/{d.name} has no pods", markup=False)
            return
        title = f"Logs of deployment {d.namespace}/{d.name}"
        self.app.push_screen(LogsScreen(d.namespace, pods, title=title))

    def action_describe(self) -> None:
        """Show the deployment as YAML with its events."""
        d = self.selected_deployment()
        if d is not None:
            from screens.describe import DescribeScreen

            self.app.push_screen(DescribeScreen(Kind.DEPLOYMENT, d.namespace, d.name))

    def action_scale(self) -> None:
        """Ask for a replica count, then preview, confirm and scale."""
        d = self.selected_deployment()
        if d is not None:
            self.run_worker(self._scale(d), group="operation", exclusive=True, exit_on_error=False)

    async def _scale(self, deployment: Deployment) -> None:
        from screens.scale import ScaleScreen

        app = self.console
        d = deployment
        hpas = await self._autoscalers(d.namespace)
        owner = hpa_for(d.namespace, d.name, hpas)
        warning = owner.warning(f"deployment {d.namespace}/{d.name}") if owner else ""
        dialog = ScaleScreen(d, app.config.operations.max_replicas, hpa_warning=warning)
        replicas = await app.push_screen_wait(dialog)
        if replicas is None:
            return
        op = Operation.scale(app.context, d.namespace, d.name, replicas)
        await run_operation(self, op, hpas=hpas, on_reload=self.action_scale)

    async def _autoscalers(self, namespace: str) -> Sequence[Hpa]:
        """The namespace's HPAs, or none when they cannot be had within
        ``HPA_TIMEOUT`` (the warning is advice: its absence must not block a scale)."""
        cluster = self.console.backends.cluster
        if cluster is None:
            return ()
        try:
            return await asyncio.wait_for(cluster.autoscalers(namespace), HPA_TIMEOUT)
        except (AdapterError, TimeoutError):
            return ()

    def action_rollback(self) -> None:
        """Open the deployment's revisions to choose one to roll back to."""
        d = self.selected_deployment()
        if d is not None:
            from screens.rollback import RollbackScreen

            self.app.push_screen(RollbackScreen(d))

    def action_restart(self) -> None:
        """Restart every pod of the deployment (preview and confirmation first)."""
        d = self.selected_deployment()
        if d is None:
            return
        self._run_operation(Operation.restart(self.console.context, d.namespace, d.name))


def warm_up() -> None:
    """Import the screens the deployment keys open, so that the first press of each
    does not pay for it. Called once the console has painted its data and is idle."""
    import screens.describe
    import screens.logs
    import screens.pods
    import screens.rollback
    import screens.scale  # noqa: F401
