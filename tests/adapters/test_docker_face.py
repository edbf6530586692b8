"""What only the sandbox's Docker face does: its world's images, its registries,
its simulated builds, and the Engine API's wire details (versioned paths, error
bodies, multiplexed log frames)."""

# The engines' fixtures are imported from docker_targets and requested by name.
# ruff: noqa: F811

from __future__ import annotations

import struct
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from adapters.docker import DockerAdapter
from adapters.docker_events import stats_from_sample
from console.models import BuildEvent, PushEvent
from console.sandbox.docker_images import familiar
from tests.adapters.docker_targets import BASE_IMAGE, DockerTarget, sandbox_docker  # noqa: F401


@pytest.fixture
def base_url(sandbox_docker: DockerTarget) -> str:
    return sandbox_docker.endpoint.replace("tcp://", "http://")


@pytest.fixture
async def docker(sandbox_docker: DockerTarget) -> AsyncIterator[DockerAdapter]:
    adapter = DockerAdapter(sandbox_docker.endpoint)
    await adapter.connect()
    yield adapter
    await adapter.close()


async def build(
    docker: DockerAdapter, tmp_path: Path, dockerfile: str, **kw: Any
) -> list[BuildEvent]:
    (tmp_path / "Dockerfile").write_text(dockerfile)
    async with aclosing(docker.build(str(tmp_path), **kw)) as events:
        return [e async for e in events]


async def push(docker: DockerAdapter, reference: str) -> list[PushEvent]:
    async with aclosing(docker.push(reference)) as events:
        return [e async for e in events]


def frames(body: bytes) -> list[tuple[int, str]]:
    """(stream type, payload) of each multiplexed frame."""
    result = []
    while body:
        kind, size = struct.unpack(">BxxxL", body[:8])
        result.append((kind, body[8 : 8 + size].decode()))
        body = body[8 + size :]
    return result


async def test_the_images_are_those_the_world_s_workloads_run(
    docker: DockerAdapter, sandbox: Any
) -> None:
    def workload_images(world: Any) -> set[str]:
        return {
            c["image"]
            for d in world.store.list("deployments")
            for c in d["spec"]["template"]["spec"]["containers"]
        }

    wanted = {familiar(i) for i in sandbox.call(workload_images)}
    tags = {t for image in await docker.images() for t in image.tags}
    assert wanted and wanted <= tags
    vllm = [i for i in await docker.images() if "vllm/vllm-openai:v0.6.3" in i.tags]
    assert vllm and vllm[0].size > 5_000_000_000


def test_paths_answer_with_any_api_version_prefix_or_none(base_url: str) -> None:
    plain = requests.get(f"{base_url}/version", timeout=5).json()
    versioned = requests.get(f"{base_url}/v1.41/version", timeout=5).json()
    assert plain == versioned and plain["ApiVersion"] == "1.47"
    ping = requests.get(f"{base_url}/v1.47/_ping", timeout=5)
    assert ping.text == "OK"
    assert ping.headers["Api-Version"] == "1.47" and ping.headers["Builder-Version"] == "1"


def test_errors_carry_the_daemon_s_status_and_message(base_url: str) -> None:
    missing = requests.get(f"{base_url}/v1.47/images/nosuch/json", timeout=5)
    assert missing.status_code == 404
    assert missing.json() == {"message": "No such image: nosuch:latest"}
    no_stream = requests.get(f"{base_url}/containers/llm-bench/logs", timeout=5)
    assert no_stream.status_code == 400
    assert no_stream.json()["message"] == "Bad parameters: you must choose at least one stream"


def test_logs_are_frames_per_line_with_optional_timestamps_and_since(base_url: str) -> None:
    url = f"{base_url}/v1.47/containers/llm-bench/logs"
    body = requests.get(
        url, params={"stdout": 1, "stderr": 1, "tail": 3, "timestamps": 1}, timeout=5
    )
    assert body.headers["Content-Type"] == "application/vnd.docker.multiplexed-stream"
    lines = frames(body.content)
    assert len(lines) == 3 and all(kind in (1, 2) for kind, _ in lines)
    assert all(text.endswith("\n") and text[:4].isdigit() and "Z " in text for _, text in lines)

    def stamp(text: str) -> float:
        return datetime.fromisoformat(text.split(" ", 1)[0]).timestamp()

    since = stamp(lines[1][1])
    recent = requests.get(
        url,
        params={"stdout": 1, "stderr": 1, "timestamps": 1, "since": f"{since:.6f}"},
        timeout=5,
    )
    recent_lines = frames(recent.content)
    assert recent_lines[:2] == lines[1:]
    assert all(stamp(text) >= since for _, text in recent_lines)


def test_stats_without_streaming_carry_a_previous_sample_for_cpu_percent(base_url: str) -> None:
    sample = requests.get(
        f"{base_url}/containers/vllm-dev/stats", params={"stream": "false"}, timeout=5
    ).json()
    stats = stats_from_sample(sample)
    assert 90 < stats.cpu_percent < 190  # about 1.4 CPUs, +-30 %
    assert stats.memory_bytes > 10 * 1024**3


async def test_a_push_to_the_sandbox_registry_reports_each_layer_and_a_digest(
    docker: DockerAdapter,
) -> None:
    reference = f"registry.sandbox.local/opsconsole/busybox:{uuid.uuid4().hex[:8]}"
    await docker.tag_image(BASE_IMAGE, reference)

    events = await push(docker, reference)
    layers = {e.layer for e in events if e.layer}
    assert layers and all(
        {"Preparing", "Pushed"} <= {e.status for e in events if e.layer == layer}
        for layer in layers
    )
    assert any(e.status == "Pushing" and 0 < e.current <= e.total for e in events)
    assert events[-1].done and events[-1].digest.startswith("sha256:") and not events[-1].error

    again = await push(docker, reference)
    assert {e.status for e in again if e.layer} == {"Preparing", "Layer already exists"}


@pytest.mark.parametrize(
    ("registry", "explanation"),
    [
        ("registry.example.com", "lookup registry.example.com on 127.0.0.53:53: no such host"),
        ("docker.io", "denied: requested access to the resource is denied"),
        ("ghcr.io", "unauthorized: authentication required"),
    ],
)
async def test_a_push_to_another_registry_fails_as_it_would_without_access(
    docker: DockerAdapter, registry: str, explanation: str
) -> None:
    reference = f"{registry}/opsconsole/busybox:{uuid.uuid4().hex[:8]}"
    await docker.tag_image(BASE_IMAGE, reference)
    events = await push(docker, reference)
    assert events[-1].done and explanation in events[-1].error


async def test_a_second_build_uses_the_cache_unless_told_not_to(
    docker: DockerAdapter, tmp_path: Path
) -> None:
    dockerfile = f"FROM {BASE_IMAGE}\nRUN echo {uuid.uuid4().hex}\n"
    first = await build(docker, tmp_path, dockerfile)
    second = await build(docker, tmp_path, dockerfile)
    third = await build(docker, tmp_path, dockerfile, no_cache=True)
    assert " ---> Using cache" not in [e.output for e in first]
    assert " ---> Using cache" in [e.output for e in second]
    assert second[-1].image_id == first[-1].image_id
    assert third[-1].image_id != first[-1].image_id


async def test_a_base_image_not_on_the_host_is_pulled_during_the_build(
    docker: DockerAdapter, tmp_path: Path
) -> None:
    events = await build(docker, tmp_path, "FROM python:3.12-slim\nRUN pip install numpy==2.1.2\n")
    outputs = [e.output for e in events]
    assert "3.12-slim: Pulling from library/python" in outputs
    assert "Successfully installed numpy-2.1.2" in outputs
    assert events[-1].done and events[-1].image_id


@pytest.mark.parametrize(
    ("dockerfile", "error"),
    [
        (
            f"FROM {BASE_IMAGE}\nFROOB x\n",
            "dockerfile parse error line 2: unknown instruction: FROOB",
        ),
        ("FROM registry.example.com/base:1\n", "lookup registry.example.com"),
        ("FROM acme-internal-base:1\n", "pull access denied for acme-internal-base"),
        (f'FROM {BASE_IMAGE}\nRUN ["false"]\n', "The command 'false' returned a non-zero code: 1"),
    ],
)
async def test_a_build_that_cannot_succeed_ends_with_the_daemon_s_error(
    docker: DockerAdapter, tmp_path: Path, dockerfile: str, error: str
) -> None:
    events = await build(docker, tmp_path, dockerfile)
    assert events[-1].done and error in events[-1].error


async def test_a_multi_stage_build_stops_at_its_target(
    docker: DockerAdapter, tmp_path: Path
) -> None:
    dockerfile = (
        f"FROM {BASE_IMAGE} AS builder\nRUN echo compiling\n"
        f'FROM {BASE_IMAGE}\nCOPY --from=builder /bin/busybox /app\nCMD ["/app"]\n'
    )
    events = await build(docker, tmp_path, dockerfile, target="builder")
    assert [e.step for e in events if e.step] == [1, 2]
    assert events[-1].image_id and not events[-1].error


def test_removing_an_id_tagged_in_several_repositories_needs_force(
    base_url: str, sandbox_docker: DockerTarget
) -> None:
    image = requests.get(f"{base_url}/images/{BASE_IMAGE}/json", timeout=5).json()
    other = f"opsconsole-test/alias-{uuid.uuid4().hex[:6]}"
    assert (
        requests.post(
            f"{base_url}/images/{BASE_IMAGE}/tag", params={"repo": other, "tag": "1"}, timeout=5
        ).status_code
        == 201
    )
    refused = requests.delete(f"{base_url}/images/{image['Id'][7:19]}", timeout=5)
    assert refused.status_code == 409
    assert "referenced in multiple repositories" in refused.json()["message"]
    untagged = requests.delete(f"{base_url}/images/{other}:1", timeout=5).json()
    assert untagged == [{"Untagged": f"{other}:1"}]
