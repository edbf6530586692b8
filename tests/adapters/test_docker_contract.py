"""The Docker adapter's contract, run against the sandbox's face and a real dockerd.

Every test here runs twice (``docker_target`` is parametrised); a behaviour the
sandbox fakes must match what the real daemon does through the same adapter.
"""

# The engines' fixtures are imported from docker_targets and requested by name.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from pathlib import Path

import pytest

from adapters.base import Conflict, NotFound, Unavailable
from adapters.docker import DockerAdapter
from console.models import BuildEvent, PushEvent
from tests.adapters.docker_targets import (  # noqa: F401
    BASE_IMAGE,
    BUSYBOX,
    DockerTarget,
    docker_target,
    real_docker,
    sandbox_docker,
)


@pytest.fixture
async def docker(docker_target: DockerTarget) -> AsyncIterator[DockerAdapter]:
    adapter = DockerAdapter(docker_target.endpoint, timeout=10.0)
    await adapter.connect()
    yield adapter
    await adapter.close()


def unique_tag(name: str) -> str:
    return f"opsconsole-test/{name}:{uuid.uuid4().hex[:8]}"


def context(tmp_path: Path, dockerfile: str, **files: bytes) -> str:
    (tmp_path / "Dockerfile").write_text(dockerfile)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return str(tmp_path)


async def collect_build(
    docker: DockerAdapter, directory: str, **kwargs: object
) -> list[BuildEvent]:
    async with aclosing(docker.build(directory, **kwargs)) as events:  # type: ignore[arg-type]
        return [event async for event in events]


async def collect_push(docker: DockerAdapter, reference: str) -> list[PushEvent]:
    async with aclosing(docker.push(reference)) as events:
        return [event async for event in events]


def stream_threads(prefix: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix) and t.is_alive()]


async def wait_for_no_threads(prefix: str, within: float = 3.0) -> list[threading.Thread]:
    for _ in range(int(within / 0.05)):
        if not stream_threads(prefix):
            return []
        await asyncio.sleep(0.05)
    return stream_threads(prefix)


# ---------------------------------------------------------------------- images


async def test_images_include_the_busybox_base_with_its_size(docker: DockerAdapter) -> None:
    images = {tag: image for image in await docker.images() for tag in image.tags}
    assert BASE_IMAGE in images
    assert images[BASE_IMAGE].size >= BUSYBOX.stat().st_size
    assert images[BASE_IMAGE].created is not None


async def test_a_build_streams_each_step_and_ends_with_the_tagged_image(
    docker: DockerAdapter, tmp_path: Path
) -> None:
    tag = unique_tag("greeter")
    dockerfile = (
        f'FROM {BASE_IMAGE}\nENV GREETING=hello\nRUN echo "$GREETING from the build"\nCMD ["sh"]\n'
    )
    events = await collect_build(docker, context(tmp_path, dockerfile), tags=[tag], no_cache=True)

    steps = [(e.step, e.total_steps, e.instruction) for e in events if e.step]
    assert steps == [
        (1, 4, f"FROM {BASE_IMAGE}"),
        (2, 4, "ENV GREETING=hello"),
        (3, 4, 'RUN echo "$GREETING from the build"'),
        (4, 4, 'CMD ["sh"]'),
    ]
    assert "hello from the build" in [e.output for e in events]
    last = events[-1]
    assert last.done and not last.error and last.image_id.startswith("sha256:")
    assert [e for e in events if e.done] == [last]
    tagged = [i for i in await docker.images() if tag in i.tags]
    assert [i.id for i in tagged] == [last.image_id]


async def test_a_failing_run_reports_its_step_and_the_daemon_s_error(
    docker: DockerAdapter, tmp_path: Path
) -> None:
    dockerfile = f'FROM {BASE_IMAGE}\nRUN echo building && exit 1\nCMD ["sh"]\n'
    events = await collect_build(docker, context(tmp_path, dockerfile), no_cache=True)

    assert [e.step for e in events if e.step][-1] == 2
    assert "building" in [e.output for e in events]
    last = events[-1]
    assert last.done and not last.image_id
    assert (
        last.error == "The command '/bin/sh -c echo building && exit 1' returned a non-zero code: 1"
    )


async def test_copying_a_file_the_context_lacks_fails_like_docker(
    docker: DockerAdapter, tmp_path: Path
) -> None:
    events = await collect_build(docker, context(tmp_path, f"FROM {BASE_IMAGE}\nCOPY nothere /x\n"))
    assert events[-1].done
    assert events[-1].error.startswith("COPY failed: file not found in build context")


async def test_history_lists_a_build_s_steps_newest_first(
    docker: DockerAdapter, tmp_path: Path
) -> None:
    tag = unique_tag("history")
    payload = b"model weights stand-in\n" * 100
    dockerfile = f'FROM {BASE_IMAGE}\nCOPY weights.bin /weights.bin\nCMD ["cat", "/weights.bin"]\n'
    events = await collect_build(
        docker, context(tmp_path, dockerfile, **{"weights.bin": payload}), tags=[tag]
    )
    assert events[-1].image_id

    history = await docker.image_history(tag)
    assert history[0].id == events[-1].image_id
    assert "CMD" in history[0].created_by
    assert "COPY file:" in history[1].created_by and history[1].size == len(payload)
    assert any(layer.size == BUSYBOX.stat().st_size for layer in history[2:])


async def test_history_of_an_unknown_image_is_not_found(docker: DockerAdapter) -> None:
    with pytest.raises(NotFound):
        await docker.image_history("opsconsole-test/never-built:1")


async def test_a_tag_can_be_added_and_removed_and_then_is_gone(docker: DockerAdapter) -> None:
    tag = unique_tag("retag")
    await docker.tag_image(BASE_IMAGE, tag)
    assert any(tag in image.tags for image in await docker.images())

    await docker.remove_image(tag)
    assert not any(tag in image.tags for image in await docker.images())
    with pytest.raises(NotFound):
        await docker.remove_image(tag)


async def test_removing_the_only_tag_of_an_image_in_use_is_a_conflict(
    docker: DockerAdapter, docker_target: DockerTarget
) -> None:
    with pytest.raises(Conflict) as raised:
        await docker.remove_image(docker_target.in_use)
    assert "must force" in raised.value.detail


# ------------------------------------------------------------------ containers


async def test_containers_lists_the_running_and_the_exited_one(
    docker: DockerAdapter, docker_target: DockerTarget
) -> None:
    by_name = {c.name: c for c in await docker.containers(all=True)}
    assert by_name[docker_target.running].state == "running"
    assert by_name[docker_target.running].status.startswith("Up ")
    exited = by_name[docker_target.exited]
    assert exited.state == "exited"
    assert exited.status.startswith(f"Exited ({docker_target.exit_code})")
    running_only = {c.name for c in await docker.containers(all=False)}
    assert docker_target.running in running_only and docker_target.exited not in running_only


async def test_logs_are_split_into_stdout_and_stderr_lines_and_bounded_by_tail(
    docker: DockerAdapter, docker_target: DockerTarget
) -> None:
    async with aclosing(docker.container_logs(docker_target.running, tail=20)) as lines:
        received = [pair async for pair in lines]
    assert 0 < len(received) <= 20
    assert {stream for stream, _ in received} == {"stdout", "stderr"}
    assert all("\n" not in line for _, line in received)


async def test_logs_of_an_exited_container_keep_what_it_wrote_on_each_stream(
    docker: DockerAdapter, docker_target: DockerTarget
) -> None:
    async with aclosing(docker.container_logs(docker_target.exited, tail=500)) as lines:
        received = {pair async for pair in lines}
    assert docker_target.last_words <= received


async def test_following_logs_yields_new_lines_and_stopping_ends_the_reader(
    docker: DockerAdapter, docker_target: DockerTarget
) -> None:
    received: list[tuple[str, str]] = []
    async with aclosing(docker.container_logs(docker_target.running, tail=1, follow=True)) as lines:
        async for pair in lines:
            received.append(pair)
            if len(received) == 3:
                break
    assert len(received) == 3
    assert await wait_for_no_threads("docker-logs") == []


async def test_stats_report_memory_and_cpu_and_stopping_ends_the_reader(
    docker: DockerAdapter, docker_target: DockerTarget
) -> None:
    samples = []
    async with aclosing(docker.container_stats(docker_target.running)) as stats:
        async for sample in stats:
            samples.append(sample)
            if len(samples) == 2:
                break
    assert all(s.memory_bytes > 0 and s.memory_limit > 0 for s in samples)
    assert samples[1].cpu_percent >= 0.0 and samples[1].read is not None
    assert await wait_for_no_threads("docker-stats") == []


async def test_stop_then_start_changes_the_container_s_state(
    docker: DockerAdapter, docker_target: DockerTarget
) -> None:
    async def state() -> str:
        return {c.name: c.state for c in await docker.containers()}[docker_target.running]

    await docker.container_action(docker_target.running, "stop")
    assert await state() == "exited"
    await docker.container_action(docker_target.running, "start")
    assert await state() == "running"
    await docker.container_action(docker_target.running, "start")  # already running: no error
    assert await state() == "running"


async def test_actions_on_an_unknown_container_are_not_found(docker: DockerAdapter) -> None:
    with pytest.raises(NotFound):
        await docker.container_action("opsconsole-no-such-container", "restart")
    with pytest.raises(NotFound):
        async with aclosing(docker.container_logs("opsconsole-no-such-container")) as lines:
            [pair async for pair in lines]


# ------------------------------------------------------------------------ push


async def test_pushing_to_an_unreachable_registry_ends_with_the_reason(
    docker: DockerAdapter,
) -> None:
    reference = f"127.0.0.1:1/opsconsole/{uuid.uuid4().hex[:8]}:v1"
    await docker.tag_image(BASE_IMAGE, reference)
    events = await collect_push(docker, reference)
    assert events[-1].done
    assert "127.0.0.1:1" in events[-1].error and "connection refused" in events[-1].error


async def test_pushing_a_tag_that_does_not_exist_locally_is_explained(
    docker: DockerAdapter,
) -> None:
    events = await collect_push(docker, "127.0.0.1:1/opsconsole/never-built:v1")
    assert events[-1].done
    assert "does not exist locally" in events[-1].error


# ---------------------------------------------------------------- connection


@pytest.mark.parametrize("endpoint", ["unix:///nonexistent/docker.sock", "tcp://127.0.0.1:1"])
async def test_a_daemon_that_is_not_there_is_unavailable_naming_the_endpoint(endpoint: str) -> None:
    adapter = DockerAdapter(endpoint, timeout=2.0)
    with pytest.raises(Unavailable) as raised:
        await adapter.connect()
    assert endpoint in raised.value.detail


async def test_without_an_endpoint_docker_host_is_used(
    monkeypatch: pytest.MonkeyPatch, sandbox_docker: DockerTarget
) -> None:
    monkeypatch.setenv("DOCKER_HOST", sandbox_docker.endpoint)
    adapter = DockerAdapter()
    await adapter.connect()
    try:
        assert adapter.endpoint == sandbox_docker.endpoint
        assert await adapter.images()
    finally:
        await adapter.close()


async def test_an_ssh_endpoint_that_refuses_is_unavailable_with_the_reason() -> None:
    adapter = DockerAdapter("ssh://opsconsole@127.0.0.1:1", timeout=3.0)
    with pytest.raises(Unavailable) as raised:
        await adapter.connect()
    assert raised.value.detail.startswith("cannot reach Docker at ssh://opsconsole@127.0.0.1:1: ")
