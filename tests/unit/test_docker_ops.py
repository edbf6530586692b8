"""Docker mutations through the safety pipeline: refusal, validation, audit, outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.base import AdapterError, Conflict, Timeout
from console.audit import AuditLog, read_records
from console.builds import BuildRequest
from console.docker_actions import DockerOperation
from console.docker_ops import DockerOperations
from console.operations import Refused
from console.validation import ValidationError


class Engine:
    """Only what the one-shot operations call; records the calls."""

    endpoint = "tcp://admin:hunter2@docker.internal:2376"

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.error = error

    async def remove_image(self, image: str, *, force: bool = False) -> None:
        self.calls.append(("remove_image", image))
        if self.error:
            raise self.error

    async def container_action(self, container: str, action: str) -> None:
        self.calls.append((action, container))


def ops(tmp_path: Path, engine: Engine, *, read_only: bool = False) -> DockerOperations:
    return DockerOperations(engine, AuditLog(tmp_path / "audit.jsonl"), read_only=read_only)  # type: ignore[arg-type]


async def test_read_only_refuses_before_anything_is_audited(tmp_path: Path) -> None:
    engine = Engine()
    with pytest.raises(Refused, match="read-only"):
        await ops(tmp_path, engine, read_only=True).execute(
            DockerOperation.container("web", "stop")
        )
    assert engine.calls == [] and read_records(tmp_path / "audit.jsonl") == []


async def test_a_container_stop_is_audited_as_intent_then_outcome(tmp_path: Path) -> None:
    engine = Engine()
    outcome = await ops(tmp_path, engine).execute(DockerOperation.container("vllm-dev", "stop"))
    assert outcome.ok and outcome.message == "stopped container vllm-dev"
    assert engine.calls == [("stop", "vllm-dev")]
    intent, done = read_records(tmp_path / "audit.jsonl")
    assert (intent.phase, done.phase, done.result) == ("intent", "outcome", "ok")
    assert (intent.kind, intent.name, intent.action) == ("Container", "vllm-dev", "stop")
    assert intent.context == "tcp://admin@docker.internal:2376"


async def test_a_refused_removal_is_explained_and_audited_as_an_error(tmp_path: Path) -> None:
    engine = Engine(Conflict("image is being used by running container 1f2e"))
    outcome = await ops(tmp_path, engine).execute(DockerOperation.remove_image("llm:1"))
    assert outcome.result == "error"
    assert outcome.message == (
        "could not remove image llm:1 — Conflict: image is being used by running container 1f2e"
    )
    assert read_records(tmp_path / "audit.jsonl")[-1].error.title == "Conflict"  # type: ignore[union-attr]


async def test_a_removal_that_timed_out_is_audited_as_unknown(tmp_path: Path) -> None:
    engine = Engine(Timeout("no answer in 30 s"))
    outcome = await ops(tmp_path, engine).execute(DockerOperation.remove_image("llm:1"))
    assert outcome.result == "unknown" and "may or may not have happened" in outcome.message
    assert read_records(tmp_path / "audit.jsonl")[-1].result == "unknown"


async def test_an_unexpected_error_is_audited_as_unknown_and_raised_as_an_adapter_error(
    tmp_path: Path,
) -> None:
    engine = Engine(RuntimeError("socket closed"))
    with pytest.raises(AdapterError, match="may or may not have happened: RuntimeError"):
        await ops(tmp_path, engine).execute(DockerOperation.remove_image("llm:1"))
    outcome = read_records(tmp_path / "audit.jsonl")[-1]
    assert (outcome.phase, outcome.result) == ("outcome", "unknown")


async def test_a_push_cannot_be_executed_in_one_shot_and_nothing_is_audited(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValidationError, match="streams"):
        await ops(tmp_path, Engine()).execute(DockerOperation.push("llm:1"))
    assert read_records(tmp_path / "audit.jsonl") == []


def test_a_push_of_a_malformed_reference_is_invalid(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot contain spaces"):
        ops(tmp_path, Engine()).preview(DockerOperation.push("llm: 1"))


async def test_a_build_s_secret_args_are_hidden_on_screen_and_in_the_audit(tmp_path: Path) -> None:
    request = BuildRequest(tmp_path, "Dockerfile", ("llm:1",), {"PIP_TOKEN": "s3cret", "V": "2"})
    op = DockerOperation.build(request)
    service = ops(tmp_path, Engine())
    preview = service.preview(op)
    assert "s3cret" not in preview.command_line
    assert preview.command_line == (
        f"docker build -t llm:1 --build-arg 'PIP_TOKEN=[redacted]' --build-arg V=2 {tmp_path}"
    )
    intent = await service.begin(op)
    await service.finish(intent, "ok")
    assert "s3cret" not in (tmp_path / "audit.jsonl").read_text()
