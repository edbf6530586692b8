"""The build history file: survives a reload, tolerates a torn line, stays bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.build_history import BuildHistory, BuildRecord

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def record(n: int, **fields: object) -> BuildRecord:
    values: dict[str, object] = {
        "id": f"b{n}", "tags": (f"llm:{n}",), "context": "/src/llm", "started": T0 + timedelta(
            minutes=n), "duration": 12.5, "result": "succeeded", "image_id": f"sha256:{n:064x}",
    }  # fmt: skip
    values.update(fields)
    return BuildRecord.model_validate(values)


def test_records_survive_a_reload_in_order(tmp_path: Path) -> None:
    path = tmp_path / "data" / "builds.jsonl"
    BuildHistory(path).append(record(1))
    BuildHistory(path).append(record(2, result="failed", failed_step="2/3 RUN make", error="boom"))
    loaded = BuildHistory(path).load()
    assert [r.id for r in loaded] == ["b1", "b2"]
    assert loaded[1].failed_step == "2/3 RUN make" and loaded[1].error == "boom"
    assert loaded[0] == record(1)


def test_a_missing_file_is_an_empty_history(tmp_path: Path) -> None:
    assert BuildHistory(tmp_path / "none.jsonl").load() == []


def test_a_torn_last_line_is_skipped_and_the_next_record_starts_on_its_own_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "builds.jsonl"
    history = BuildHistory(path)
    history.append(record(1))
    with path.open("ab") as handle:
        handle.write(record(2).model_dump_json().encode()[:40])
    history.append(record(3))
    assert [r.id for r in history.load()] == ["b1", "b3"]


def test_the_file_keeps_only_the_newest_records(tmp_path: Path) -> None:
    path = tmp_path / "builds.jsonl"
    history = BuildHistory(path, limit=5)
    for n in range(12):
        history.append(record(n))
    assert [r.id for r in history.load()] == [f"b{n}" for n in range(7, 12)]
    assert len(path.read_text().splitlines()) < 10
