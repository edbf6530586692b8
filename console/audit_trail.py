"""The audited half of the safety pipeline every mutation goes through (DESIGN §5),
shared by cluster operations (``console.operations``) and Docker operations
(``console.docker_ops``).

``AuditTrail.intent`` writes (and fsyncs) the record of an operation about to be
attempted, refusing to go on when the log cannot be written; ``attempt`` awaits
the call and writes its outcome: "ok", "error" for an adapter error, "unknown"
for a timeout, an unexpected exception or a cancellation. The errors below mean
nothing was attempted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from adapters.base import AdapterError, Timeout
from console.audit import AuditError, AuditLog, AuditRecord, Result

__all__ = ["Attempt", "AuditTrail", "OperationError", "OperationFailed", "Refused"]

log = logging.getLogger(__name__)

T = TypeVar("T")


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
class Attempt(Generic[T]):
    """How an audited call ended: its value when ``result`` is "ok", else the
    adapter error; ``audit_problem`` says the outcome record was not written."""

    result: Result
    value: T | None = None
    error: AdapterError | None = None
    audit_problem: str | None = None


class AuditTrail:
    """Writes the intent and the outcome of each attempted operation to ``audit``."""

    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    async def intent(
        self, *, context: str, namespace: str, kind: str, name: str, action: str,
        params: Mapping[str, Any],
    ) -> AuditRecord:
        """Write the record of an operation about to be attempted (fsynced) and
        return it. Raises ``OperationFailed`` when the log cannot be written (then
        the operation must not start)."""
        try:
            return await asyncio.to_thread(
                self.audit.intent, context=context, namespace=namespace, kind=kind,
                name=name, action=action, params=params,
            )  # fmt: skip
        except OSError as exc:
            raise OperationFailed(
                f"the audit log {self.audit.path} cannot be written ({exc.strerror or exc}); "
                "nothing was changed"
            ) from exc

    async def attempt(self, intent: AuditRecord, call: Awaitable[T], *, what: str) -> Attempt[T]:
        """Await ``call`` (the operation ``intent`` records, described by ``what``)
        and write its outcome. An adapter error becomes an ``Attempt`` with result
        "error" ("unknown" for a timeout). Any other exception is recorded as
        "unknown" and re-raised as an ``AdapterError``; cancellation is recorded as
        "unknown" and propagates."""
        try:
            value = await call
        except AdapterError as exc:
            result: Result = "unknown" if isinstance(exc, Timeout) else "error"
            error = AuditError(title=exc.title, detail=exc.detail)
            problem = await self.outcome(intent, result, error)
            return Attempt(result, error=exc, audit_problem=problem)
        except asyncio.CancelledError:
            self.outcome_now(intent, "unknown", "the console stopped waiting")
            raise
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"
            problem = await self.outcome(
                intent, "unknown", AuditError(title="Unexpected error", detail=detail)
            )
            suffix = f" ({problem})" if problem else ""
            raise AdapterError(
                f"{what} may or may not have happened: {detail}{suffix}", title="Outcome unknown"
            ) from exc
        return Attempt("ok", value, audit_problem=await self.outcome(intent, "ok"))

    async def outcome(
        self, intent: AuditRecord, result: Result, error: AuditError | None = None
    ) -> str | None:
        """Write the outcome of ``intent`` (fsynced); returns a sentence saying the
        write failed, or None."""
        try:
            await asyncio.to_thread(self.audit.outcome, intent, result, error)
        except OSError as exc:
            log.error("audit outcome for %s not written: %s", intent.id, exc)
            return f"the outcome could not be written to the audit log ({exc.strerror or exc})"
        return None

    def outcome_now(self, intent: AuditRecord, result: Result, detail: str) -> None:
        """Write a cancelled outcome synchronously (for a caller being cancelled,
        which cannot await), logging a failure to write it."""
        try:
            self.audit.outcome(intent, result, AuditError(title="Cancelled", detail=detail))
        except OSError:
            log.exception("audit outcome for %s not written", intent.id)
