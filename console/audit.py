"""The append-only audit log: one JSON object per line, fsynced before the UI moves on.

Every mutation writes two records sharing an ``id``: an *intent* before the call
and an *outcome* after it (``ok``, ``error`` or ``unknown``). A crash between the
two leaves the intent, which ``opsconsole audit`` shows as "no outcome recorded".

The file is created with mode 0600 whatever the umask, each record is written with
one ``write`` under an in-process lock and an advisory ``flock`` (two consoles on
one bastion may share the file), then flushed to disk with ``fsync``. Parameters
whose names look like secrets are redacted before they are written.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = [
    "AuditError",
    "AuditLog",
    "AuditRecord",
    "Phase",
    "Result",
    "default_audit_path",
    "read_records",
    "redact",
]

Phase = Literal["intent", "outcome"]
Result = Literal["ok", "error", "unknown"]

_SECRET_NAME = re.compile(r"pass(word)?|secret|token|credential|auth|api[_-]?key", re.IGNORECASE)
REDACTED = "[redacted]"


def default_audit_path() -> Path:
    """``<user state dir>/opsconsole/audit.jsonl`` (platformdirs' ``user_state_dir``)."""
    return Path(platformdirs.user_state_dir("opsconsole")) / "audit.jsonl"


def redact(params: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``params`` whose values are replaced by "[redacted]" where the key
    names a secret (password, token, secret, credential, auth, api key)."""
    return {k: REDACTED if _SECRET_NAME.search(k) else v for k, v in params.items()}


def _os_user() -> str:
    """The OS user running the console; the numeric uid when it has no name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid:{os.getuid()}"


class AuditError(BaseModel):
    """The error an outcome record carries: the adapter error's title and detail."""

    model_config = ConfigDict(frozen=True)

    title: str
    detail: str = ""


class AuditRecord(BaseModel):
    """One line of the audit log. ``result`` and ``error`` are set on outcomes only.

    Unknown keys are ignored when reading, so an older console can read a newer log.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    ts: datetime
    id: str
    phase: Phase
    user: str
    host: str
    context: str
    namespace: str
    kind: str
    name: str
    action: str
    params: dict[str, Any] = {}
    result: Result | None = None
    error: AuditError | None = None

    def to_line(self) -> bytes:
        """The record as one JSON line (``ts`` in RFC 3339 UTC, ending in ``Z``)."""
        data = self.model_dump(mode="json")
        data["ts"] = (
            self.ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
        return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


class AuditLog:
    """Appends records to one JSON Lines file; safe to share between threads."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = path
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._user = _os_user()
        self._host = socket.gethostname()

    def intent(
        self,
        *,
        context: str,
        namespace: str,
        kind: str,
        name: str,
        action: str,
        params: Mapping[str, Any],
    ) -> AuditRecord:
        """Write and fsync the record of an operation about to be attempted, and
        return it (its ``id`` links the outcome). Raises ``OSError`` when the log
        cannot be written; the caller must then not attempt the operation."""
        record = AuditRecord(
            ts=self._clock(),
            id=uuid.uuid4().hex,
            phase="intent",
            user=self._user,
            host=self._host,
            context=context,
            namespace=namespace,
            kind=kind,
            name=name,
            action=action,
            params=redact(params),
        )
        self.append(record)
        return record

    def outcome(
        self, intent: AuditRecord, result: Result, error: AuditError | None = None
    ) -> AuditRecord:
        """Write and fsync the outcome of ``intent`` and return it. Raises ``OSError``."""
        record = intent.model_copy(
            update={"ts": self._clock(), "phase": "outcome", "result": result, "error": error}
        )
        self.append(record)
        return record

    def append(self, record: AuditRecord) -> None:
        """Append ``record`` as one line and fsync it. Creates the parent directories
        (0700) and the file (0600) when missing. If an earlier writer died mid-line,
        a newline is written first so the torn line stays on its own. Raises
        ``OSError``."""
        line = record.to_line()
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            created = not self.path.exists()
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                os.fchmod(fd, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX)
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                _fsync_directory(self.path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make a newly created file's directory entry durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_records(path: Path) -> list[AuditRecord]:
    """Every record in the log at ``path``, in file order.

    Lines that are not a complete record (a write torn by a crash) are skipped.
    Returns [] when the file does not exist; raises ``OSError`` when it cannot
    be read.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return list(_parse_lines(text.splitlines()))


def _parse_lines(lines: Iterable[str]) -> Iterable[AuditRecord]:
    for line in lines:
        if not line.strip():
            continue
        try:
            yield AuditRecord.model_validate_json(line)
        except ValidationError:
            continue


# ------------------------------------------------------------------ reporting

_COLUMNS = ("TIME (UTC)", "USER", "CONTEXT", "OBJECT", "ACTION", "PARAMS", "RESULT")


def format_records(records: Iterable[AuditRecord]) -> str:
    """The records as a readable table for ``opsconsole audit``, one row per
    operation (intent and outcome joined by id), oldest first.

    An intent without an outcome reads "no outcome recorded"; an error outcome
    shows the error's title and detail. Returns a one-line note for an empty log.
    """
    intents: dict[str, AuditRecord] = {}
    outcomes: dict[str, AuditRecord] = {}
    order: dict[str, None] = {}
    for record in records:
        table = intents if record.phase == "intent" else outcomes
        table[record.id] = record
        order.setdefault(record.id)
    if not order:
        return "the audit log is empty"
    rows = [_row(intents.get(op_id), outcomes.get(op_id)) for op_id in order]
    widths = [max(len(row[i]) for row in (_COLUMNS, *rows)) for i in range(len(_COLUMNS) - 1)]
    lines = [
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]])
        for row in (_COLUMNS, *rows)
    ]
    return "\n".join(line.rstrip() for line in lines)


def _row(intent: AuditRecord | None, outcome: AuditRecord | None) -> tuple[str, ...]:
    record = intent or outcome
    assert record is not None  # every id came from one of the two
    obj = "/".join(part for part in (record.namespace, record.kind.lower(), record.name) if part)
    params = " ".join(f"{k}={v}" for k, v in record.params.items())
    return (
        record.ts.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        record.user,
        record.context,
        obj,
        record.action,
        params,
        _result_text(intent, outcome),
    )


def _result_text(intent: AuditRecord | None, outcome: AuditRecord | None) -> str:
    if outcome is None:
        return "no outcome recorded"
    text: str = outcome.result or "unknown"
    if outcome.error is not None:
        detail = f" — {outcome.error.detail}" if outcome.error.detail else ""
        text = f"{text}: {outcome.error.title}{detail}"
    return text if intent is not None else f"{text} (intent record missing)"
