"""The one place every cluster mutation goes through (DESIGN §5).

``Operations.preview`` refuses in read-only mode, validates the parameters, sends
the mutation as a server-side dry run and returns what the confirmation dialog
shows: the diff, the equivalent ``kubectl`` command, warnings, and the phrase to
type in a protected context. ``Operations.execute`` writes the audit intent
(fsynced), performs the call and writes the outcome (fsynced) through the
``AuditTrail`` it shares with Docker operations, and returns the outcome in words
an operator can act on.

Errors raised by either method mean nothing was changed; an ``Outcome`` means
the call was attempted and says how it ended.
"""

from __future__ import annotations

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
from console.audit import AuditLog, Result
from console.audit_trail import AuditTrail, OperationError, OperationFailed, Refused
from console.manifests import strip_bookkeeping, unified_diff
from console.models import Hpa
from console.rollout import hpa_for
from console.validation import ValidationError, parse_replicas

# The errors meaning nothing was attempted live with the audit trail (shared with
# Docker operations); screens import them from here.
__all__ = ["OperationError", "OperationFailed", "Operations", "Outcome", "Preview", "Refused"]


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
        self.trail = AuditTrail(audit)
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

    async def preview(self, op: Operation, *, hpas: Iterable[Hpa] = ()) -> Preview:
        """Validate ``op`` and dry-run it on the server.

        ``hpas`` are the HorizontalPodAutoscalers of the namespace, used to
        warn when one owns a replica count. Raises ``Refused``, ``ValidationError``
        or ``OperationFailed``; nothing is changed either way.
        """
        await self._check(op)
        try:
            result = await self._call(op, dry_run=True)
        except AdapterError as exc:
            message, reload = _explain(op, exc, dry_run=True)
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
        intent = await self.trail.intent(
            context=op.context, namespace=op.namespace, kind=op.kind.kind_name,
            name=op.name, action=op.action.value, params=op.params,
        )  # fmt: skip
        attempt = await self.trail.attempt(intent, self._call(op, dry_run=False),
                                           what=op.describe())  # fmt: skip
        if attempt.error is not None:
            message, reload = _explain(op, attempt.error, dry_run=False)
            return Outcome(op, attempt.result, message, intent.id, error=attempt.error,
                           reload=reload, audit_problem=attempt.audit_problem)  # fmt: skip
        return Outcome(op, "ok", op.describe(done=True), intent.id, mutation=attempt.value,
                       audit_problem=attempt.audit_problem)  # fmt: skip

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
            message, reload = _explain(op, exc, dry_run=True)
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


def _explain(op: Operation, exc: AdapterError, *, dry_run: bool) -> tuple[str, bool]:
    """The operator's sentence and the reload flag for ``exc``.

    A plain 409 ``Conflict`` means the object changed under the operator; a
    ``Conflict`` with its own title (a paused Deployment) is explained as it is.
    """
    if isinstance(exc, Forbidden):
        return f"you are not allowed to {op.permission()}", False
    if isinstance(exc, Conflict) and exc.title == Conflict.default_title:
        return f"someone else changed {op.target} since you loaded it; " \
            "reload and try again", True  # fmt: skip
    if isinstance(exc, Timeout) and not dry_run:
        return (
            f"the API did not answer in time; {op.describe()} may or may not have "
            "happened: reload to check"
        ), True  # fmt: skip
    reason = f"{exc.title}: {exc.detail}" if exc.detail else exc.title
    if dry_run:
        return f"the dry run to {op.describe()} failed — {reason}", False
    return f"could not {op.describe()} — {reason}", False


def _summary(op: Operation, before: Mapping[str, Any]) -> str:
    current = before.get("spec", {}).get("replicas")
    if op.action is Action.SCALE and isinstance(current, int):
        return f"{op.describe()} (now {current})"
    return op.describe()


def _warnings(
    op: Operation, before: Mapping[str, Any], hpas: Iterable[Hpa]
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
