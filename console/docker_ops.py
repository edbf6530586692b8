"""The one place every Docker mutation goes through (DESIGN §5), as
``console.operations`` is for the cluster: build, push, image removal, and
container start, stop and restart.

``DockerOperations.preview`` refuses in read-only mode, validates the operation
and returns what the confirmation dialog shows (a sentence, the equivalent
``docker`` command, warnings). ``execute`` audits the intent (fsynced), performs
a one-shot call, audits the outcome and returns it in words, through the same
``AuditTrail`` as cluster operations. Builds and pushes stream for minutes, so the
screen calls ``begin`` (checks + intent), consumes the stream, then ``finish``
with how it ended.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from adapters.base import AdapterError, ContainerAdapter, Forbidden, NotFound, Timeout
from adapters.docker_errors import safe_endpoint
from console.audit import AuditError, AuditLog, AuditRecord, Result, redact
from console.audit_trail import AuditTrail, Refused
from console.docker_actions import DockerAction, DockerOperation
from console.validation import ValidationError, parse_image_reference

__all__ = ["DockerOperations", "DockerOutcome", "DockerPreview"]

#: The actions that stream for minutes: ``begin`` and ``finish``, not ``execute``.
STREAMING = frozenset({DockerAction.BUILD, DockerAction.PUSH})


@dataclass(frozen=True, slots=True)
class DockerPreview:
    """What a Docker operation will do, as the confirmation dialog shows it."""

    operation: DockerOperation
    summary: str
    #: The equivalent ``docker`` command, quoted for a shell, secrets redacted.
    command_line: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DockerOutcome:
    """How an attempted operation ended, with the audit record's id."""

    operation: DockerOperation
    result: Result
    message: str
    audit_id: str
    error: AdapterError | None = None
    #: Set when the outcome record could not be written, saying so.
    audit_problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.result == "ok"


class DockerOperations:
    """Previews, performs and audits mutations on one Docker Engine."""

    def __init__(self, adapter: ContainerAdapter, audit: AuditLog, *, read_only: bool) -> None:
        self.adapter = adapter
        self.audit = audit
        self.trail = AuditTrail(audit)
        self.read_only = read_only
        self.endpoint = safe_endpoint(adapter.endpoint)

    def refusal(self, action: DockerAction) -> str | None:
        """Why ``action`` is disabled, or None when it is allowed."""
        if self.read_only:
            verb = action.value.replace("_", " ")
            return f"the console is read-only (--read-only); {verb} is disabled"
        return None

    def preview(self, op: DockerOperation, warnings: Sequence[str] = ()) -> DockerPreview:
        """Check ``op`` and describe it. Raises ``Refused`` or ``ValidationError``."""
        self._check(op)
        command = redacted_command(op)
        return DockerPreview(op, op.describe(), shlex.join(command), tuple(warnings))

    async def execute(self, op: DockerOperation) -> DockerOutcome:
        """Perform a one-shot ``op`` (image removal, container start/stop/restart):
        audit intent, call, audit outcome. Raises ``ValidationError`` (also for a
        streaming action), ``Refused`` or ``OperationFailed`` (audit log unwritable)
        before anything is attempted; an adapter error becomes an outcome with
        result "error" ("unknown" for a timeout). Any other exception is recorded as
        "unknown" and re-raised as an ``AdapterError``; cancellation is recorded as
        "unknown" and propagates."""
        if op.action in STREAMING:
            raise ValidationError(f"{op.action.value} streams; use begin() and finish()")
        intent = await self.begin(op)
        attempt = await self.trail.attempt(intent, self._call(op), what=op.describe())
        if attempt.error is not None:
            message = _explain(op, attempt.error)
            return DockerOutcome(op, attempt.result, message, intent.id, attempt.error,
                                 attempt.audit_problem)  # fmt: skip
        return DockerOutcome(op, "ok", op.describe(done=True), intent.id,
                             audit_problem=attempt.audit_problem)  # fmt: skip

    async def begin(self, op: DockerOperation) -> AuditRecord:
        """Check ``op`` and write its audit intent (fsynced). Raises ``Refused``,
        ``ValidationError``, or ``OperationFailed`` when the log cannot be written
        (then the operation must not start)."""
        self._check(op)
        return await self.trail.intent(context=self.endpoint, namespace="", kind=op.kind,
                                       name=op.name, action=op.action.value, params=op.params)

    async def finish(
        self, intent: AuditRecord, result: Result, error: AuditError | None = None
    ) -> str | None:
        """Write the outcome of ``intent`` (fsynced); returns a sentence saying the
        write failed, or None."""
        return await self.trail.outcome(intent, result, error)

    def finish_now(self, intent: AuditRecord, result: Result, detail: str) -> None:
        """Write a cancelled outcome synchronously (for a caller being cancelled, which
        cannot await), logging a failure to write it."""
        self.trail.outcome_now(intent, result, detail)

    def _check(self, op: DockerOperation) -> None:
        reason = self.refusal(op.action)
        if reason:
            raise Refused(reason)
        if not op.name.strip():
            raise ValidationError(f"{op.action.value.replace('_', ' ')} needs a {op.kind.lower()}")
        if op.action is DockerAction.PUSH and parse_image_reference(op.name).digest:
            raise ValidationError(f"push a tag, not a digest ({op.name})")
        if op.action is DockerAction.BUILD:
            for tag in str(op.params.get("tags", "")).split(","):
                if tag:
                    parse_image_reference(tag)

    async def _call(self, op: DockerOperation) -> None:
        match op.action:
            case DockerAction.REMOVE_IMAGE:
                await self.adapter.remove_image(op.name, force=bool(op.params.get("force")))
            case DockerAction.START:
                await self.adapter.container_action(op.name, "start")
            case DockerAction.STOP:
                await self.adapter.container_action(op.name, "stop")
            case DockerAction.RESTART:
                await self.adapter.container_action(op.name, "restart")


def redacted_command(op: DockerOperation) -> list[str]:
    """``op.docker_command()`` with the values of secret-looking build args hidden."""
    hidden = redact({key: value for key, value in op.params.items() if key.startswith("arg:")})
    command = op.docker_command()
    for key, value in hidden.items():
        original = f"{key.removeprefix('arg:')}={op.params[key]}"
        if original in command and value != op.params[key]:
            command[command.index(original)] = f"{key.removeprefix('arg:')}={value}"
    return command


def _explain(op: DockerOperation, exc: AdapterError) -> str:
    """The operator's sentence for a failed ``op``."""
    if isinstance(exc, Timeout):
        return f"Docker did not answer in time; {op.describe()} may or may not " \
            "have happened: refresh to check"  # fmt: skip
    if isinstance(exc, Forbidden):
        return f"the Docker daemon does not allow you to {op.describe()}: {exc.detail}"
    if isinstance(exc, NotFound):
        return f"{op.target} no longer exists (refresh the list): {exc.detail}"
    reason = f"{exc.title}: {exc.detail}" if exc.detail else exc.title
    return f"could not {op.describe()} — {reason}"
