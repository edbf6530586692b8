"""How a screen runs a Docker mutation: check, confirm, execute (or begin a stream),
report — every refusal and failure a notification whose text is never markup.

Call these from a worker: they wait on the confirmation dialog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget

from adapters.base import AdapterError
from console.audit import AuditLog, default_audit_path
from console.docker_actions import DockerAction, DockerOperation
from console.docker_ops import DockerOperations, DockerOutcome
from console.operations import OperationError, Refused
from console.validation import ValidationError
from screens.docker_confirm import DockerConfirmScreen
from screens.operation_flow import refuse_key

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = [
    "confirm_docker", "docker_operations_for", "refuse_disabled_docker_key", "run_docker_operation",
]


def docker_operations_for(app: OpsConsoleApp) -> DockerOperations | None:
    """The Docker operations service with the app's audit log and read-only state,
    or None when no Docker endpoint is configured."""
    adapter = app.backends.containers
    if adapter is None:
        return None
    audit = AuditLog(app.config.audit.path or default_audit_path())
    return DockerOperations(adapter, audit, read_only=app.read_only)


def refuse_disabled_docker_key(
    node: Widget, event: events.Key, actions: Mapping[str, DockerAction]
) -> None:
    """``refuse_key`` for the Docker mutations: ``actions`` maps binding actions (as
    written in the binding, e.g. ``"container('stop')"``) to the mutation they start;
    the Docker operations service gives the reason (read-only)."""

    def reason_for(name: str) -> str | None:
        ops = docker_operations_for(cast("OpsConsoleApp", node.app))
        action = actions.get(name)
        return ops.refusal(action) if ops is not None and action is not None else None

    refuse_key(node, event, reason_for)


async def confirm_docker(
    screen: Screen[Any], op: DockerOperation, warnings: Sequence[str] = ()
) -> DockerOperations | None:
    """Check ``op`` and ask the operator to confirm it. Returns the service to run
    it with, or None (after saying why) when refused, invalid or not confirmed."""
    app = screen.app
    ops = docker_operations_for(cast("OpsConsoleApp", app))
    if ops is None:
        app.notify("no Docker endpoint is configured", title="Refused", severity="warning")
        return None
    try:
        preview = ops.preview(op, warnings)
    except (OperationError, ValidationError) as exc:
        report_refusal(screen, exc)
        return None
    if not await app.push_screen_wait(DockerConfirmScreen(preview)):
        app.notify("nothing was changed", title="Cancelled", markup=False)
        return None
    return ops


async def run_docker_operation(
    screen: Screen[Any], op: DockerOperation, warnings: Sequence[str] = ()
) -> DockerOutcome | None:
    """Confirm and execute a one-shot ``op``, reporting the outcome. Returns it,
    or None when nothing was attempted."""
    ops = await confirm_docker(screen, op, warnings)
    if ops is None:
        return None
    try:
        outcome = await ops.execute(op)
    except (OperationError, ValidationError) as exc:
        report_refusal(screen, exc)
        return None
    app = screen.app
    if outcome.ok:
        app.notify(outcome.message, title="Done", markup=False)
    else:
        title = outcome.error.title if outcome.error else "Failed"
        severity: SeverityLevel = "warning" if outcome.result == "unknown" else "error"
        app.notify(outcome.message, title=title, severity=severity, markup=False, timeout=15)
    if outcome.audit_problem:
        app.notify(outcome.audit_problem, title="Audit log", severity="error", markup=False)
    return outcome


def report_refusal(
    screen: Screen[Any], exc: OperationError | ValidationError | AdapterError
) -> None:
    """Say why an operation was not attempted."""
    if isinstance(exc, AdapterError):
        screen.app.notify(exc.detail, title=exc.title, severity="error", markup=False, timeout=15)
        return
    title = "Refused" if isinstance(exc, Refused) else "Invalid"
    severity: SeverityLevel = (
        "error" if isinstance(exc, OperationError) and not isinstance(exc, Refused) else "warning"
    )
    screen.app.notify(exc.message, title=title, severity=severity, markup=False, timeout=10)
