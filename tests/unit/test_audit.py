"""The audit log: intent before, outcome after, fsynced, private, readable after a crash."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.audit import (
    AuditError,
    AuditLog,
    AuditRecord,
    default_audit_path,
    format_records,
    read_records,
)

FIXED = datetime(2024, 5, 1, 3, 4, 5, 678_000, tzinfo=UTC)
TARGET = {"context": "prod", "namespace": "serving", "kind": "Deployment", "name": "llama"}


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "opsconsole" / "audit.jsonl"


@pytest.fixture
def audit(log_path: Path) -> AuditLog:
    return AuditLog(log_path, clock=lambda: FIXED)


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def scale_intent(audit: AuditLog, replicas: int = 3) -> AuditRecord:
    return audit.intent(**TARGET, action="scale", params={"replicas": replicas})


def test_an_operation_writes_an_intent_then_an_outcome_sharing_one_id(
    audit: AuditLog, log_path: Path
) -> None:
    intent = scale_intent(audit)
    audit.outcome(intent, "ok")
    lines = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert [(r["phase"], r["result"]) for r in lines] == [("intent", None), ("outcome", "ok")]
    assert lines[0]["id"] == lines[1]["id"] == intent.id
    for record in lines:
        assert record["ts"] == "2024-05-01T03:04:05.678Z"
        assert record["user"] and record["host"]
        assert (record["context"], record["namespace"], record["name"]) == (
            "prod", "serving", "llama",
        )  # fmt: skip
        assert (record["action"], record["params"]) == ("scale", {"replicas": 3})


def test_the_log_file_is_private_whatever_the_umask(
    audit: AuditLog, log_path: Path, open_umask: None
) -> None:
    scale_intent(audit)
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_path.parent.stat().st_mode) == 0o700


def test_an_existing_log_readable_by_others_is_made_private(
    audit: AuditLog, log_path: Path
) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.touch(mode=0o644)
    os.chmod(log_path, 0o644)
    scale_intent(audit)
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600


def test_a_crash_between_intent_and_outcome_leaves_the_intent(log_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from console.audit import AuditLog
        log = AuditLog(Path({str(log_path)!r}))
        log.intent(context="prod", namespace="serving", kind="Deployment", name="llama",
                   action="rollback", params={{"to_revision": 2}})
        os._exit(9)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=Path(__file__).parents[2], check=False
    )
    assert done.returncode == 9
    [record] = read_records(log_path)
    assert (record.phase, record.action, record.params) == (
        "intent",
        "rollback",
        {"to_revision": 2},
    )
    assert format_records([record]).splitlines()[1].endswith("no outcome recorded")


def test_a_torn_last_line_is_skipped_and_the_next_record_starts_on_its_own_line(
    audit: AuditLog, log_path: Path
) -> None:
    first = scale_intent(audit)
    with log_path.open("ab") as handle:
        handle.write(b'{"ts":"2024-05-01T03:04:05Z","id":"torn","pha')
    assert read_records(log_path) == [first]
    second = audit.outcome(first, "ok")
    assert read_records(log_path) == [first, second]


def test_parameters_naming_secrets_are_redacted(audit: AuditLog, log_path: Path) -> None:
    audit.intent(**TARGET, action="push", params={"registry_password": "hunter2", "tag": "v1"})
    text = log_path.read_text()
    assert "hunter2" not in text
    assert read_records(log_path)[0].params == {"registry_password": "[redacted]", "tag": "v1"}


def test_concurrent_writers_never_interleave_records(audit: AuditLog, log_path: Path) -> None:
    def write_many() -> None:
        for replicas in range(25):
            audit.outcome(scale_intent(audit, replicas), "ok")

    threads = [threading.Thread(target=write_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(log_path.read_text().splitlines()) == 200
    assert len(read_records(log_path)) == 200


def test_a_missing_log_reads_as_empty(tmp_path: Path) -> None:
    assert read_records(tmp_path / "nope.jsonl") == []
    assert format_records([]) == "the audit log is empty"


def test_the_report_joins_intent_and_outcome_into_one_row_per_operation(audit: AuditLog) -> None:
    ok = scale_intent(audit, 3)
    denied = audit.intent(**TARGET, action="rollback", params={"to_revision": 2})
    records = [
        ok,
        denied,
        audit.outcome(ok, "ok"),
        audit.outcome(denied, "error", AuditError(title="Not allowed", detail="RBAC says no")),
    ]
    header, first, second = format_records(records).splitlines()
    assert header.split()[:3] == ["TIME", "(UTC)", "USER"]
    assert "2024-05-01 03:04:05" in first
    assert "prod" in first and "serving/deployment/llama" in first
    assert first.endswith("replicas=3     ok")
    assert second.endswith("to_revision=2  error: Not allowed — RBAC says no")


def test_an_outcome_whose_intent_is_lost_is_still_reported(audit: AuditLog) -> None:
    outcome = audit.outcome(scale_intent(audit), "unknown")
    assert format_records([outcome]).splitlines()[1].endswith("unknown (intent record missing)")


def test_the_default_log_lives_in_the_user_state_directory() -> None:
    path = default_audit_path()
    assert path.name == "audit.jsonl"
    assert path.parent.name == "opsconsole"
