"""A running build's output reaching the live view: a burst is shown whole in the
repaint that follows a quiet spell, later changes wait for the repaint interval,
and the end of the build is shown at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from console.app import Backends, OpsConsoleApp, build_app
from console.audit import AuditLog
from console.build_history import BuildHistory
from console.builds import BuildRequest
from console.config import AuditConfig, Config
from console.docker_actions import DockerOperation
from console.docker_ops import DockerOperations
from console.models import BuildEvent
from console.throttle import Throttle
from screens.build_list import BuildList
from screens.build_run import BuildRunScreen
from tests.ui.conftest import screen_text, wait_for

#: Longer than any test: a repaint that has to wait for the interval never comes.
INTERVAL = 3_600.0


class ScriptedDocker:
    """A container adapter whose one build streams what the test feeds it."""

    endpoint = "test://scripted"

    def __init__(self) -> None:
        self.queue: asyncio.Queue[BuildEvent] = asyncio.Queue()
        self.closed = False

    async def connect(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def images(self) -> list[Any]:
        return []

    async def containers(self, all: bool = True) -> list[Any]:
        return []

    async def build(self, context_dir: str, **_: Any) -> AsyncIterator[BuildEvent]:
        try:
            while True:
                event = await self.queue.get()
                yield event
                if event.done:
                    return
        finally:
            self.closed = True

    def feed(self, *events: BuildEvent) -> None:
        for event in events:
            self.queue.put_nowait(event)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The repaint throttle's clock, and an interval no test outlasts."""
    clock = Clock()
    monkeypatch.setattr("screens.build_list.REPAINT_INTERVAL", INTERVAL)
    monkeypatch.setattr("screens.build_list.Throttle", partial(Throttle, clock=clock))
    return clock


async def start_build(
    app: OpsConsoleApp, pilot: Any, docker: ScriptedDocker, tmp: Path
) -> BuildList:
    await pilot.press("5")
    await wait_for(pilot, lambda: bool(app.screen.query(BuildList)))
    builds = app.screen.query_one(BuildList)
    ops = DockerOperations(docker, AuditLog(tmp / "audit.jsonl"), read_only=False)  # type: ignore[arg-type]
    request = BuildRequest(tmp, tags=("team/stream:1",))
    builds.start_build(ops, DockerOperation.build(request), request)
    await wait_for(pilot, lambda: isinstance(app.screen, BuildRunScreen) and app.screen.is_mounted)
    return builds


def noise(count: int) -> list[BuildEvent]:
    return [BuildEvent(output=f"noise {n}") for n in range(count)]


def console(tmp_path: Path, docker: ScriptedDocker) -> OpsConsoleApp:
    config = Config(audit=AuditConfig(path=tmp_path / "audit.jsonl"))
    return build_app(config, Backends(None, containers=docker))  # type: ignore[arg-type]


async def test_a_burst_after_a_quiet_spell_is_shown_whole_and_later_lines_wait_for_the_interval(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    docker = ScriptedDocker()
    app = console(tmp_path, docker)
    async with app.run_test(size=(100, 30)) as pilot:
        builds = await start_build(app, pilot, docker, tmp_path)
        progress = builds.progress
        assert progress is not None
        docker.feed(BuildEvent(step=1, total_steps=1, instruction="RUN ./generate"))
        await wait_for(pilot, lambda: "1/1 RUN ./generate" in screen_text(app))

        clock.now += 2 * INTERVAL  # a quiet spell
        docker.feed(*noise(300), BuildEvent(output="burst-end"))
        await wait_for(pilot, lambda: "burst-end" in screen_text(app))

        docker.feed(BuildEvent(output="held-back"))
        await wait_for(pilot, lambda: progress.lines_received == 302)
        await pilot.pause()
        assert "held-back" not in screen_text(app)

        docker.feed(BuildEvent(image_id="sha256:" + "ab" * 32, done=True))
        await wait_for(pilot, lambda: "built abababababab" in screen_text(app))
        assert "held-back" in screen_text(app)


async def test_cancelling_a_streaming_build_closes_its_stream_and_keeps_it_as_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    docker = ScriptedDocker()
    app = console(tmp_path, docker)
    async with app.run_test(size=(100, 30)) as pilot:
        builds = await start_build(app, pilot, docker, tmp_path)
        progress = builds.progress
        assert progress is not None
        docker.feed(BuildEvent(step=1, total_steps=1, instruction="RUN ./train"), *noise(50))
        await wait_for(pilot, lambda: "noise 49" in screen_text(app))
        await pilot.press("x")
        await wait_for(pilot, lambda: progress.result == "cancelled")
        await wait_for(pilot, lambda: docker.closed)
        await wait_for(pilot, lambda: "cancelled during step 1/1 RUN ./train" in screen_text(app))
    (record,) = BuildHistory(tmp_path / "opsconsole" / "builds.jsonl").load()
    assert record.result == "cancelled" and record.tags == ("team/stream:1",)
