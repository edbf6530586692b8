"""How a screen runs a mutation: preview, confirm, execute, report, offer a reload.

``run_operation`` is awaited inside a screen's worker (it waits on modal screens).
Every refusal and failure becomes a notification with a title, its text never
parsed as markup. ``refuse_disabled_key`` lets a screen explain a mutating key that
is disabled in read-only mode instead of ignoring the press.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget

from adapters.base import AdapterError
from console.actions import Action, Operation
from console.audit import AuditLog, default_audit_path
from console.models import Hpa
from console.operations import OperationError, OperationFailed, Operations, Outcome, Refused
from console.validation import ValidationError
from screens.confirm import ConfirmScreen, ReloadScreen

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = [
    "operations_for", "read_only_disables", "refuse_disabled_key", "refuse_key", "run_operation",
]


def operations_for(app: OpsConsoleApp) -> Operations | None:
    """The operations service for the app's cluster and its current safety state,
    or None when no cluster is configured."""
    cluster = app.backends.cluster
    if cluster is None:
        return None
    config = app.config
    return Operations(
        cluster,
        AuditLog(config.audit.path or default_audit_path()),
        context=app.context,
        read_only=app.read_only,
        protected=app.context in config.kubernetes.protected_contexts,
        max_replicas=config.operations.max_replicas,
    )


def refuse_key(node: Widget, event: events.Key, reason_for: Callable[[str], str | None]) -> None:
    """If ``event`` is the key of a disabled binding on ``node``'s screen and
    ``reason_for(the binding's action)`` says why it is refused, say so and stop the
    key (a disabled key that does nothing at all leaves the operator guessing)."""
    active = node.screen.active_bindings.get(event.key)
    if active is None or active.enabled:
        return
    reason = reason_for(active.binding.action)
    if reason:
        node.notify(reason, title="Refused", severity="warning", markup=False)
        event.stop()


def refuse_disabled_key(node: Widget, event: events.Key, actions: Mapping[str, Action]) -> None:
    """``refuse_key`` for the cluster mutations: ``actions`` maps action names to the
    mutation they perform; the operations service gives the reason."""

    def reason_for(name: str) -> str | None:
        ops = operations_for(cast("OpsConsoleApp", node.app))
        action = actions.get(name)
        return ops.refusal(action) if ops is not None and action is not None else None

    refuse_key(node, event, reason_for)


def read_only_disables(node: Widget, action: str, mutating: Collection[str]) -> bool | None:
    """``check_action``'s answer for a mutating ``action``: None (shown disabled)
    when the console is read-only, True otherwise."""
    if action in mutating and cast("OpsConsoleApp", node.app).read_only:
        return None
    return True


async def run_operation(
    screen: Screen[Any],
    op: Operation,
    *,
    hpas: Iterable[Hpa] = (),
    on_reload: Callable[[], None] | None = None,
) -> Outcome | None:
    """Preview ``op``, ask for confirmation, execute it and report the outcome.

    ``hpas`` are the HorizontalPodAutoscalers of the object's namespace: one that
    owns a scaled Deployment's replica count adds a warning to the confirmation.
    Call it from a worker. Returns the outcome, or None when nothing was attempted
    (refused, invalid, dry run failed, or not confirmed). When the object changed
    under the operator, offers to reload and calls ``on_reload`` if accepted.
    """
    app = screen.app
    ops = operations_for(cast("OpsConsoleApp", app))
    if ops is None:
        app.notify("no cluster is configured", title="Refused", severity="warning")
        return None
    try:
        preview = await ops.preview(op, hpas=hpas)
    except (OperationError, ValidationError) as exc:
        await _report_refusal(screen, exc, on_reload)
        return None
    if not await app.push_screen_wait(ConfirmScreen(preview)):
        app.notify("nothing was changed", title="Cancelled", markup=False)
        return None
    try:
        outcome = await ops.execute(op)
    except (OperationError, ValidationError) as exc:
        await _report_refusal(screen, exc, on_reload)
        return None
    except AdapterError as exc:
        app.notify(exc.detail, title=exc.title, severity="error", markup=False, timeout=15)
        return None
    _report_outcome(screen, outcome)
    if outcome.reload:
        await _offer_reload(screen, outcome.message, on_reload)
    return outcome


async def _offer_reload(
    screen: Screen[Any], message: str, on_reload: Callable[[], None] | None
) -> None:
    """Ask whether to reload after the object changed; call ``on_reload`` if so."""
    if on_reload is not None and await screen.app.push_screen_wait(ReloadScreen(message)):
        on_reload()


async def _report_refusal(
    screen: Screen[Any],
    exc: OperationError | ValidationError,
    on_reload: Callable[[], None] | None,
) -> None:
    title = "Refused" if isinstance(exc, Refused) else "Invalid"
    if isinstance(exc, OperationFailed):
        title = exc.error.title if exc.error is not None else "Failed"
    severity: SeverityLevel = "warning" if isinstance(exc, Refused | ValidationError) else "error"
    screen.app.notify(exc.message, title=title, severity=severity, markup=False, timeout=10)
    if isinstance(exc, OperationFailed) and exc.reload:
        await _offer_reload(screen, exc.message, on_reload)


def _report_outcome(screen: Screen[Any], outcome: Outcome) -> None:
    app = screen.app
    if outcome.ok:
        app.notify(outcome.message, title="Done", markup=False)
    elif outcome.result == "unknown":
        app.notify(outcome.message, title="Outcome unknown", severity="warning", markup=False,
                   timeout=15)  # fmt: skip
    else:
        title = outcome.error.title if outcome.error is not None else "Failed"
        app.notify(outcome.message, title=title, severity="error", markup=False, timeout=15)
    if outcome.audit_problem:
        app.notify(outcome.audit_problem, title="Audit log", severity="error", markup=False)
