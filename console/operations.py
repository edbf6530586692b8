"""The one place every cluster mutation goes through (DESIGN §5).

``Operations.preview`` refuses in read-only mode, validates the parameters, sends
the mutation as a server-side dry run and returns what the confirmation dialog
shows: the diff, the equivalent ``kubectl`` command, warnings, and the phrase to
type in a protected context. ``Operations.execute`` writes the audit intent
(fsynced), performs the call, writes the outcome (fsynced) and returns it in
words an operator can act on.

Errors raised by either method mean nothing was changed; an ``Outcome`` means
the call was attempted and says how it ended.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.base import (
    AdapterError,
    ClusterAdapter,
    Conflict,
    Forbidden,
    Kind,
    MutationResult,
    Timeout,
)
from console.actions import Action, Operation, kubectl_command, kubectl_command_line
from console.audit import AuditError, AuditLog, AuditRecord, Result
from console.manifests import strip_bookkeeping, unified_diff
from console.rollout import hpa_for
from console.validation import ValidationError, parse_replicas

__all__ = ["OperationError", "OperationFailed", "Operations", "Outcome", "Preview", "Refused"]

log = logging.getLogger(__name__)


class OperationError(Exception):
    """An operation that was not attempted; ``message`` says why, for the operator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(OperationError):
    """The console will not do this here (read-only, wrong context, paused deployment)."""


class OperationFailed(OperationError):
    """The dry run or a precondition check failed, or the audit log is unwritable.

    ``error`` is the adapter error behind it, if any; ``reload`` says the object
    changed under the operator and should be reloaded.
    """

    def __init__(
        self, message: str, *, error: AdapterError | None = None, reload: bool = False
    ) -> None:
        super().__init__(message)
        self.error = error
        self.reload = reload


@dataclass(frozen=True, slots=True)
class Preview:
    """What an operation would do, as the confirmation dialog shows it."""

    operation: Operation
    #: "scale deployment serving/llama to 3 replicas (now 2)"
    summary: str
    #: Unified diff of the object before and after (dry run); "" when nothing changes.
    diff: str
    kubectl: list[str]
    #: What the operator must type to confirm (the object's name) in a protected
    #: context; None where a yes/no confirmation is enough.
    confirm_phrase: str | None
    warnings: tuple[str, ...] = ()

    @property
    def kubectl_line(self) -> str:
        """The kubectl command quoted for a shell."""
        return kubectl_command_line(self.operation)

    def confirmed_by(self, typed: str) -> bool:
        """Whether ``typed`` confirms the operation (always, without a phrase)."""
        return self.confirm_phrase is None or typed.strip() == self.confirm_phrase


@dataclass(frozen=True, slots=True)
class Outcome:
    """How an attempted operation ended, with the audit record's id."""

    operation: Operation
    result: Result
    #: The sentence to show: "scaled …", "you are not allowed to …", "someone else changed …".
    message: str
    audit_id: str
    error: AdapterError | None = None
    #: The object changed under the operator (409) or may have (timeout): offer to reload.
    reload: bool = False
    mutation: MutationResult | None = None
    #: Set when the outcome record could not be written, saying so.
    audit_problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.result == "ok"


class Operations:
    """Previews and performs mutations of one cluster context, auditing each.

    ``read_only`` refuses every mutation; ``protected`` asks for the object's name
    as confirmation; ``max_replicas`` bounds a scale.
    """

    def __init__(
        self,
        cluster: ClusterAdapter,
        audit: AuditLog,
        *,
        context: str,
        read_only: bool,
        protected: bool,
        max_replicas: int,
    ) -> None:
        self.cluster = cluster
        self.audit = audit
        self.context = context
        self.read_only = read_only
        self.protected = protected
        self.max_replicas = max_replicas

    # ------------------------------------------------------------ public

    def refusal(self, action: Action) -> str | None:
        """Why ``action`` is disabled in this context, or None when it is allowed.
        Screens show mutating keys disabled with this reason."""
        if self.read_only:
            verb = action.value.replace("_", " ")
            return (
                f"context {self.context} is read-only (--read-only or "
                f"kubernetes.read_only_contexts in config); {verb} is disabled"
            )
        return None

    async def preview(self, op: Operation, *, hpas: Iterable[Mapping[str, Any]] = ()) -> Preview:
        """Validate ``op`` and dry-run it on the server.

        ``hpas`` are HorizontalPodAutoscaler manifests of the namespace, used to
        warn when one owns a replica count. Raises ``Refused``, ``ValidationError``
        or ``OperationFailed``; nothing is changed either way.
        """
        await self._check(op)
        try:
            result = await self._call(op, dry_run=True)
        except AdapterError as exc:
            _, message, reload = _explain(op, exc, dry_run=True)
            raise OperationFailed(message, error=exc, reload=reload) from exc
        diff = unified_diff(
            strip_bookkeeping(result.before),
            strip_bookkeeping(result.after),
            from_label=f"{op.target} (now)",
            to_label=f"{op.target} (after)",
        )
        return Preview(
            operation=op,
            summary=_summary(op, result.before),
            diff=diff,
            kubectl=kubectl_command(op),
            confirm_phrase=op.name if self.protected else None,
            warnings=_warnings(op, result.before, hpas),
        )

    async def execute(self, op: Operation) -> Outcome:
        """Perform ``op``: audit intent (fsynced), call, audit outcome (fsynced).

        Raises ``Refused``, ``ValidationError`` or ``OperationFailed`` (the audit
        log cannot be written) before anything is attempted. An adapter error
        becomes an ``Outcome`` with result "error" (or "unknown" for a timeout).
        Any other exception is recorded as "unknown" and re-raised as an
        ``AdapterError``; cancellation is recorded as "unknown" and propagates.
        """
        await self._check(op)
        try:
            intent = await asyncio.to_thread(
                self.audit.intent,
                context=op.context,
                namespace=op.namespace,
                kind=op.kind.kind_name,
                name=op.name,
                action=op.action.value,
                params=op.params,
            )
        except OSError as exc:
            raise OperationFailed(
                f"the audit log {self.audit.path} cannot be written ({exc.strerror or exc}); "
                "nothing was changed"
            ) from exc
        try:
            mutation = await self._call(op, dry_run=False)
        except AdapterError as exc:
            result, message, reload = _explain(op, exc, dry_run=False)
            error = AuditError(title=exc.title, detail=exc.detail)
            problem = await self._record(intent, result, error)
            return Outcome(
                op, result, message, intent.id, error=exc, reload=reload, audit_problem=problem
            )
        except asyncio.CancelledError:
            self._record_now(intent, "unknown", "Cancelled", "the console stopped waiting")
            raise
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"
            problem = await self._record(
                intent, "unknown", AuditError(title="Unexpected error", detail=detail)
            )
            suffix = f" ({problem})" if problem else ""
            raise AdapterError(
                f"{op.describe()} may or may not have happened: {detail}{suffix}",
                title="Outcome unknown",
            ) from exc
        problem = await self._record(intent, "ok")
        return Outcome(op, "ok", op.describe(done=True), intent.id, mutation=mutation,
                       audit_problem=problem)  # fmt: skip

    # ------------------------------------------------------------ internal

    async def _check(self, op: Operation) -> None:
        """Raise ``Refused``/``ValidationError``/``OperationFailed`` if ``op`` must not run."""
        if op.context != self.context:
            raise Refused(
                f"this was prepared for context {op.context}, but the console is now on "
                f"{self.context}; open the dialog again"
            )
        reason = self.refusal(op.action)
        if reason:
            raise Refused(reason)
        if op.kind.namespaced and not op.namespace:
            raise ValidationError(f"{op.kind.kind_name.lower()} {op.name} needs a namespace")
        if op.action is Action.SCALE:
            parse_replicas(str(op.params.get("replicas", "")), self.max_replicas)
        if op.action is Action.ROLLBACK:
            revision = op.params.get("to_revision", 0)
            if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
                raise ValidationError(
                    f"revision must be 0 (the previous one) or a revision number (got {revision})"
                )
        if op.action in (Action.ROLLBACK, Action.RESTART):
            await self._refuse_paused(op)

    async def _refuse_paused(self, op: Operation) -> None:
        """Refuse to roll back or restart a paused Deployment, as kubectl does."""
        try:
            manifest = await self.cluster.get_manifest(Kind.DEPLOYMENT, op.namespace, op.name)
        except AdapterError as exc:
            _, message, reload = _explain(op, exc, dry_run=True)
            raise OperationFailed(message, error=exc, reload=reload) from exc
        if manifest.get("spec", {}).get("paused"):
            verb = "rolled back" if op.action is Action.ROLLBACK else "restarted"
            raise Refused(
                f"{op.target} is paused, and a paused deployment cannot be {verb}; resume "
                f"it first (kubectl rollout resume deployment/{op.name}) and try again"
            )

    async def _call(self, op: Operation, *, dry_run: bool) -> MutationResult:
        cluster, ns, name = self.cluster, op.namespace, op.name
        match op.action:
            case Action.SCALE:
                replicas = int(op.params["replicas"])
                return await cluster.scale(ns, name, replicas, dry_run=dry_run)
            case Action.ROLLBACK:
                revision = int(op.params.get("to_revision", 0))
                return await cluster.rollback(ns, name, revision, dry_run=dry_run)
            case Action.RESTART:
                return await cluster.restart(ns, name, dry_run=dry_run)
            case Action.DELETE_POD:
                return await cluster.delete_pod(ns, name, dry_run=dry_run)
            case Action.CORDON | Action.UNCORDON:
                cordon = op.action is Action.CORDON
                return await cluster.cordon(name, cordon, dry_run=dry_run)

    async def _record(
        self, intent: AuditRecord, result: Result, error: AuditError | None = None
    ) -> str | None:
        """Write the outcome record; returns a sentence saying it failed, or None."""
        try:
            await asyncio.to_thread(self.audit.outcome, intent, result, error)
        except OSError as exc:
            log.error("audit outcome for %s not written: %s", intent.id, exc)
            return f"the outcome could not be written to the audit log ({exc.strerror or exc})"
        return None

    def _record_now(self, intent: AuditRecord, result: Result, title: str, detail: str) -> None:
        """Write the outcome record synchronously (used while being cancelled)."""
        try:
            self.audit.outcome(intent, result, AuditError(title=title, detail=detail))
        except OSError:
            log.exception("audit outcome for %s not written", intent.id)


def _explain(op: Operation, exc: AdapterError, *, dry_run: bool) -> tuple[Result, str, bool]:
    """The audit result, the operator's sentence and the reload flag for ``exc``.

    A plain 409 ``Conflict`` means the object changed under the operator; a
    ``Conflict`` with its own title (a paused Deployment) is explained as it is.
    """
    if isinstance(exc, Forbidden):
        return "error", f"you are not allowed to {op.permission()}", False
    if isinstance(exc, Conflict) and exc.title == Conflict.default_title:
        return "error", f"someone else changed {op.target} since you loaded it; " \
            "reload and try again", True  # fmt: skip
    if isinstance(exc, Timeout) and not dry_run:
        return "unknown", (
            f"the API did not answer in time; {op.describe()} may or may not have "
            "happened: reload to check"
        ), True  # fmt: skip
    reason = f"{exc.title}: {exc.detail}" if exc.detail else exc.title
    if dry_run:
        return "error", f"the dry run to {op.describe()} failed — {reason}", False
    return "error", f"could not {op.describe()} — {reason}", False


def _summary(op: Operation, before: Mapping[str, Any]) -> str:
    current = before.get("spec", {}).get("replicas")
    if op.action is Action.SCALE and isinstance(current, int):
        return f"{op.describe()} (now {current})"
    return op.describe()


def _warnings(
    op: Operation, before: Mapping[str, Any], hpas: Iterable[Mapping[str, Any]]
) -> tuple[str, ...]:
    """Sentences the confirmation dialog shows above the diff."""
    warnings: list[str] = []
    if op.action is Action.SCALE:
        hpa = hpa_for(op.namespace, op.name, hpas)
        if hpa:
            warnings.append(hpa.warning(op.target))
        if op.params.get("replicas") == 0:
            warnings.append(f"scaling to 0 stops every pod of {op.target}; it will serve nothing")
    if op.action is Action.DELETE_POD and not before.get("metadata", {}).get("ownerReferences"):
        warnings.append(f"{op.target} has no controller; nothing will replace it")
    if op.action is Action.CORDON:
        warnings.append("cordoning does not evict the pods already running on the node")
    return tuple(warnings)
