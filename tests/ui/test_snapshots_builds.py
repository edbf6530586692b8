"""Snapshots of the Builds area — build history, a build's live view (running and
failed), Images and Containers — over ``FrozenDocker`` and a history file of fixed
records, the clock frozen.

Update after an intended visual change with ``pytest tests/ui/test_snapshots_builds.py
--snapshot-update``, then look at every changed SVG.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from adapters.base import Kind
from console.app import Backends, OpsConsoleApp, build_app
from console.build_history import BuildHistory, BuildRecord
from console.build_progress import BuildProgress
from console.config import AuditConfig, Config
from console.models import BuildEvent
from screens.build_form import BuildFormScreen
from screens.build_run import BuildRunScreen
from screens.builds import BuildsScreen
from screens.container_logs import ContainerLogsScreen
from screens.docker_confirm import DockerConfirmScreen
from screens.image_history import ImageHistoryScreen
from screens.image_usage import ImageUsageScreen
from screens.images import image_rows
from screens.push import PushScreen
from screens.widgets.resource_table import ResourceTable
from tests.ui.fakes import NOW, deployment
from tests.ui.snapshot_support import FrozenDocker, SnapshotCluster, painted, snapshot_images

Snap = Callable[..., bool]
#: A tag of two (one image tagged twice), run by the serving/mistral-chat deployment.
MISTRAL = "registry.acme.ai/serving/mistral-7b-chat:v0.9.1"
#: The monotonic time the build view is drawn at (the fake build started at 1000).
BUILD_NOW = 1_047.3


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def records() -> list[BuildRecord]:
    """Three finished builds: succeeded, failed in a step, cancelled."""
    return [
        BuildRecord(id="b1", tags=("registry.acme.ai/serving/vllm:0.6.3",), context="./serving",
                    started=NOW - timedelta(days=1), duration=212.4, result="succeeded",
                    image_id="sha256:" + "3f1a" * 16),
        BuildRecord(id="b2", tags=("registry.acme.ai/serving/mistral-7b-chat:v0.9.2",),
                    context="./mistral", started=NOW - timedelta(hours=2), duration=48.9,
                    result="failed", failed_step="4/6 RUN pip install -r requirements.txt",
                    error="The command '/bin/sh -c pip install -r requirements.txt' returned a "
                          "non-zero code: 1"),
        BuildRecord(id="b3", tags=(), context="./tools/bench", started=NOW - timedelta(minutes=9),
                    duration=6.2, result="cancelled", error="cancelled by the operator"),
    ]  # fmt: skip


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OpsConsoleApp:
    """The console over ``SnapshotCluster`` and ``FrozenDocker``, with ``records()``
    as the build history (the user's data directory is ``tmp_path``)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    history = BuildHistory(tmp_path / "opsconsole" / "builds.jsonl")
    for record in records():
        history.append(record)
    cluster = SnapshotCluster()
    chat = deployment("serving", "mistral-chat", age=timedelta(days=2),
                      images=(MISTRAL, "envoyproxy/envoy:v1.30.1"))  # fmt: skip
    cluster.objects[Kind.DEPLOYMENT][chat.key] = chat
    backends = Backends(cluster, containers=FrozenDocker())
    config = Config(audit=AuditConfig(path=tmp_path / "audit.jsonl"))
    return build_app(config, backends, clock=lambda: NOW)


def table(pilot: Pilot[None], table_id: str) -> ResourceTable:  # type: ignore[type-arg]
    return pilot.app.screen.query_one(f"#{table_id}", ResourceTable)


async def open_builds(pilot: Pilot[None]) -> None:
    """The Builds area once Docker answered and the history is listed."""
    await pilot.press("5")

    def listed() -> bool:
        return (isinstance(pilot.app.screen, BuildsScreen)
                and pilot.app.docker_health.state == "ok"  # type: ignore[attr-defined]
                and table(pilot, "history").row_count == 3)  # fmt: skip

    await painted(pilot, listed)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=size_id)
def test_build_history_snapshot(app: OpsConsoleApp, snap_compare: Snap,
                                size: tuple[int, int]) -> None:  # fmt: skip
    """Newest first: cancelled, failed (with its step), succeeded; the newest detailed."""

    async def history(pilot: Pilot[None]) -> None:
        await open_builds(pilot)
        detail = pilot.app.screen.query_one("#detail", Static)
        await painted(pilot, lambda: str(detail.render()).startswith("cancelled"))

    assert snap_compare(app, terminal_size=size, run_before=history)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=size_id)
def test_images_snapshot(app: OpsConsoleApp, snap_compare: Snap, size: tuple[int, int]) -> None:
    """One row per tag (an untagged image by its id), sizes and ages."""

    async def images(pilot: Pilot[None]) -> None:
        await open_builds(pilot)
        await pilot.press("I")
        rows = len(image_rows(snapshot_images()))
        await painted(pilot, lambda: table(pilot, "images").row_count == rows)

    assert snap_compare(app, terminal_size=size, run_before=images)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=size_id)
def test_containers_snapshot(app: OpsConsoleApp, snap_compare: Snap,
                             size: tuple[int, int]) -> None:  # fmt: skip
    """Running, exited and restarting containers; the running one with its CPU and
    memory sparklines after five stats samples."""

    async def containers(pilot: Pilot[None]) -> None:
        await open_builds(pilot)
        await pilot.press("C")

        def sampled() -> bool:
            rows = table(pilot, "containers")
            return rows.row_count == 3 and "74.5%" in " ".join(rows.cell_texts("c1" * 32))

        await painted(pilot, sampled)

    assert snap_compare(app, terminal_size=size, run_before=containers)


def step(number: int, instruction: str) -> BuildEvent:
    return BuildEvent(step=number, total_steps=6, instruction=instruction)


def output(text: str) -> BuildEvent:
    return BuildEvent(output=text)


def build_progress(*, failed: bool) -> BuildProgress:
    """A six-step build started at 1000: three steps done (one cached), the fourth
    running since 1031.0, or failed there with the daemon's error."""
    progress = BuildProgress(1_000.0)
    timeline = [
        (1_000.4, [step(1, "FROM python:3.11-slim"), output("---> 2b7e4c1f09aa")]),
        (1_028.9, [step(2, "WORKDIR /app"), output("---> Using cache"),
                   output("---> 5c1d0e3a7b21")]),
        (1_029.0, [step(3, "COPY requirements.txt ."), output("---> 8f0e2d4c6a13")]),
        (1_031.0, [step(4, "RUN pip install -r requirements.txt"),
                   output("Collecting torch==2.4.1"),
                   output("Collecting vllm==0.6.3"),
                   output("ERROR: Could not find a version that satisfies the requirement "
                          "vllm==0.6.3")]),
    ]  # fmt: skip
    for now, events in timeline:
        progress.apply_all(events, now)
    if failed:
        error = ("The command '/bin/sh -c pip install -r requirements.txt' returned a "
                 "non-zero code: 1")  # fmt: skip
        progress.apply(BuildEvent(error=error, done=True), 1_046.8)
    return progress


def run_screen(progress: BuildProgress) -> BuildRunScreen:
    return BuildRunScreen(progress, "Build registry.acme.ai/serving/mistral-7b-chat:v0.9.2",
                          clock=lambda: BUILD_NOW, on_cancel=lambda: None,
                          on_push=lambda: None)  # fmt: skip


@pytest.mark.parametrize("failed", [False, True], ids=["running", "failed"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=size_id)
def test_build_view_snapshot(app: OpsConsoleApp, snap_compare: Snap, size: tuple[int, int],
                             failed: bool) -> None:  # fmt: skip
    """The live view of a build: its steps with their times and states, the status
    line, and the running (or failing) step's output — and the daemon's error."""
    progress = build_progress(failed=failed)

    async def shown(pilot: Pilot[None]) -> None:
        await open_builds(pilot)
        await pilot.app.push_screen(run_screen(progress))
        await painted(pilot, lambda: isinstance(pilot.app.screen, BuildRunScreen)
                      and table(pilot, "steps").row_count == 4)  # fmt: skip

    assert snap_compare(app, terminal_size=size, run_before=shown)


def test_build_form_with_problems_snapshot(app: OpsConsoleApp, snap_compare: Snap) -> None:
    """``n`` then a submit with no context, a tag with a space and a build arg without
    ``=``: each field says what is wrong under it."""

    async def invalid(pilot: Pilot[None]) -> None:
        await open_builds(pilot)
        await pilot.press("n")
        await painted(pilot, lambda: isinstance(pilot.app.screen, BuildFormScreen))
        form = pilot.app.screen
        form.query_one("#tags", Input).value = "registry.acme.ai/serving/app:1.0, my app:dev"
        form.query_one("#build_args", Input).value = "CUDA=12.4 BROKEN"
        await pilot.press("ctrl+s")
        await painted(pilot, lambda: len(form.query(".problem.-shown")) == 3)

    assert snap_compare(app, terminal_size=(80, 24), run_before=invalid)


async def images_listed(pilot: Pilot[None], reference: str) -> None:
    """The Images tab listed, the cursor on ``reference``."""
    await open_builds(pilot)
    await pilot.press("I")
    rows = len(image_rows(snapshot_images()))
    await painted(pilot, lambda: table(pilot, "images").row_count == rows)
    table(pilot, "images").move_cursor(reference)
    await painted(pilot, lambda: table(pilot, "images").cursor_key == reference)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=size_id)
def test_image_layers_snapshot(app: OpsConsoleApp, snap_compare: Snap,
                               size: tuple[int, int]) -> None:  # fmt: skip
    """``enter`` on an image: its layers, newest first, with their sizes and commands."""

    async def layers(pilot: Pilot[None]) -> None:
        await images_listed(pilot, MISTRAL)
        await pilot.press("enter")
        await painted(pilot, lambda: isinstance(pilot.app.screen, ImageHistoryScreen)
                      and table(pilot, "layers").row_count == 4)  # fmt: skip

    assert snap_compare(app, terminal_size=size, run_before=layers)


def test_where_an_image_runs_snapshot(app: OpsConsoleApp, snap_compare: Snap) -> None:
    """``w`` on an image: the deployment whose container runs it."""

    async def usage(pilot: Pilot[None]) -> None:
        await images_listed(pilot, MISTRAL)
        await pilot.press("w")
        await painted(pilot, lambda: isinstance(pilot.app.screen, ImageUsageScreen)
                      and table(pilot, "uses").row_count == 1)  # fmt: skip

    assert snap_compare(app, terminal_size=(80, 24), run_before=usage)


def test_remove_image_confirmation_snapshot(app: OpsConsoleApp, snap_compare: Snap) -> None:
    """``d`` on a tag a deployment runs: the command, and both warnings."""

    async def confirm(pilot: Pilot[None]) -> None:
        await images_listed(pilot, MISTRAL)
        await pilot.press("d")
        await painted(pilot, lambda: isinstance(pilot.app.screen, DockerConfirmScreen))

    assert snap_compare(app, terminal_size=(80, 24), run_before=confirm)


def test_container_logs_snapshot(app: OpsConsoleApp, snap_compare: Snap) -> None:
    """``enter`` on the running container: its last lines, then following."""

    async def logs(pilot: Pilot[None]) -> None:
        await open_builds(pilot)
        await pilot.press("C")
        await painted(pilot, lambda: table(pilot, "containers").row_count == 3)
        table(pilot, "containers").move_cursor("c1" * 32)
        await pilot.press("enter")

        def followed() -> bool:
            screen = pilot.app.screen
            return isinstance(screen, ContainerLogsScreen) and len(screen.buffer.shown) == 2

        await painted(pilot, followed)

    assert snap_compare(app, terminal_size=(80, 24), run_before=logs)


def test_push_refused_by_the_registry_snapshot(app: OpsConsoleApp, snap_compare: Snap) -> None:
    """``p`` on a tag, confirmed: two layers already there, one half sent, then the
    registry refuses the credentials — explained, with the daemon's words."""

    async def refused(pilot: Pilot[None]) -> None:
        await images_listed(pilot, MISTRAL)
        await pilot.press("p")
        await painted(pilot, lambda: isinstance(pilot.app.screen, DockerConfirmScreen))
        await pilot.press("y")

        def failed() -> bool:
            screen = pilot.app.screen
            return (isinstance(screen, PushScreen) and screen.has_class("-failed")
                    and len(screen.query(".row")) == 3)  # fmt: skip

        await painted(pilot, failed)

    assert snap_compare(app, terminal_size=(80, 24), run_before=refused)
