"""Snapshots of the screens pushed over a deployment — pods, logs, describe — and of
the scale, rollback and confirmation dialogs, over ``SnapshotCluster``'s frozen
world and clock.

Update after an intended visual change with ``pytest tests/ui/test_snapshots_operations.py
--snapshot-update``, then look at every changed SVG.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from adapters.base import Conflict
from console.app import Backends, OpsConsoleApp, build_app
from console.config import AuditConfig, Config, KubernetesConfig
from screens.confirm import ConfirmScreen, ReloadScreen
from screens.deployments import DeploymentsScreen
from screens.describe import DescribeScreen
from screens.logs import LogsScreen
from screens.pods import PodsScreen
from screens.rollback import RollbackScreen
from screens.scale import ScaleScreen
from screens.widgets.resource_table import ResourceTable
from tests.ui.fakes import NOW
from tests.ui.snapshot_support import LOG_LINES, SnapshotCluster, painted

SIZES = [(80, 24), (120, 36)]
Snap = Callable[..., bool]


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.fixture
def app(tmp_path: Path) -> OpsConsoleApp:
    """The console over ``SnapshotCluster`` (llama-70b first), the clock frozen."""
    config = Config(audit=AuditConfig(path=tmp_path / "audit.jsonl"))
    return build_app(config, Backends(SnapshotCluster()), clock=lambda: NOW)


def text_of(pilot: Pilot[None], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


async def deployments_listed(pilot: Pilot[None]) -> None:
    """Wait for the Deployments screen to list llama-70b and whisper (cursor on llama-70b)."""

    def listed() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, DeploymentsScreen) and screen.table.row_count == 2

    await painted(pilot, listed)


async def open_pods(pilot: Pilot[None]) -> None:
    await deployments_listed(pilot)
    await pilot.press("enter")
    await painted(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, PodsScreen)
            and pilot.app.screen.query_one("#pods", ResourceTable).row_count == 5
        ),
    )


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_pods_of_a_deployment_snapshot(app: OpsConsoleApp, snap_compare: Snap,
                                       size: tuple[int, int]) -> None:  # fmt: skip
    """llama-70b's pods: running, Pending with the scheduler's message, crash-looping
    (OOMKilled), a MIG slice on another node; QoS and GPU columns."""
    assert snap_compare(app, terminal_size=size, run_before=open_pods)


async def open_logs(pilot: Pilot[None]) -> None:
    await deployments_listed(pilot)
    await pilot.press("l")
    total = sum(len(lines) for lines in LOG_LINES.values())

    def streamed() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, LogsScreen) and len(screen.buffer.shown) == total

    await painted(pilot, streamed)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_logs_of_a_deployment_snapshot(app: OpsConsoleApp, snap_compare: Snap,
                                       size: tuple[int, int]) -> None:  # fmt: skip
    """Two pods' lines interleaved with short prefixes, the CUDA error highlighted."""
    assert snap_compare(app, terminal_size=size, run_before=open_logs)


def test_logs_filtered_snapshot(app: OpsConsoleApp, snap_compare: Snap) -> None:
    """A regex filter keeps the POST and ERROR lines and is said in the status line."""

    async def filtered(pilot: Pilot[None]) -> None:
        await open_logs(pilot)
        await pilot.press("slash", *"POST|ERROR", "enter")
        screen = pilot.app.screen
        assert isinstance(screen, LogsScreen)
        await painted(pilot, lambda: len(screen.buffer.shown) == 4)

    assert snap_compare(app, terminal_size=(80, 24), run_before=filtered)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_describe_snapshot(app: OpsConsoleApp, snap_compare: Snap, size: tuple[int, int]) -> None:
    """llama-70b as YAML (managed fields left out), then its events."""

    async def described(pilot: Pilot[None]) -> None:
        await deployments_listed(pilot)
        await pilot.press("d")
        await painted(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, DescribeScreen)
                and "ProgressDeadlineExceeded" in text_of(pilot, "#events")
            ),
        )

    assert snap_compare(app, terminal_size=size, run_before=described)


def test_scale_dialog_with_a_validation_error_snapshot(app: OpsConsoleApp, snap_compare: Snap
                                                       ) -> None:  # fmt: skip
    """``-1`` typed: the dialog says precisely what is wrong under the field."""

    async def invalid(pilot: Pilot[None]) -> None:
        await deployments_listed(pilot)
        await pilot.press("s")
        await painted(pilot, lambda: isinstance(pilot.app.screen, ScaleScreen))
        await pilot.press("minus", "1")
        await painted(
            pilot, lambda: text_of(pilot, "#problem") == "replicas cannot be negative (got -1)"
        )

    assert snap_compare(app, terminal_size=(80, 24), run_before=invalid)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_rollback_snapshot(app: OpsConsoleApp, snap_compare: Snap, size: tuple[int, int]) -> None:
    """Three revisions (3 current), the previous one highlighted and its pod
    template diffed against the current one."""

    async def revisions(pilot: Pilot[None]) -> None:
        await deployments_listed(pilot)
        await pilot.press("r")

        def diffed() -> bool:
            screen = pilot.app.screen
            return (isinstance(screen, RollbackScreen)
                    and screen.query_one("#revisions", DataTable).row_count == 3
                    and "vllm:2-bad" in text_of(pilot, "#diff-text"))  # fmt: skip

        await painted(pilot, diffed)

    assert snap_compare(app, terminal_size=size, run_before=revisions)


async def scale_to_five(pilot: Pilot[None]) -> None:
    await deployments_listed(pilot)
    await pilot.press("s")
    await painted(pilot, lambda: isinstance(pilot.app.screen, ScaleScreen))
    await pilot.press("5", "enter")
    await painted(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_confirmation_snapshot(app: OpsConsoleApp, snap_compare: Snap,
                               size: tuple[int, int]) -> None:  # fmt: skip
    """Scaling llama-70b to 5: the summary, the kubectl line and the dry run's diff."""
    assert snap_compare(app, terminal_size=size, run_before=scale_to_five)


def test_confirmation_of_a_protected_context_snapshot(tmp_path: Path, snap_compare: Snap) -> None:
    """A protected context asks for the deployment's name to be typed."""
    config = Config(audit=AuditConfig(path=tmp_path / "audit.jsonl"),
                    kubernetes=KubernetesConfig(protected_contexts=["fake"]))  # fmt: skip
    app = build_app(config, Backends(SnapshotCluster()), clock=lambda: NOW)
    assert snap_compare(app, terminal_size=(80, 24), run_before=scale_to_five)


def test_reload_after_a_conflict_snapshot(tmp_path: Path, snap_compare: Snap) -> None:
    """Someone changed llama-70b between the preview and the confirmation: the
    dialog says so and offers to reload."""
    cluster = SnapshotCluster()
    cluster.fail_next.append(Conflict("the object has been modified; please apply your "
                                      "changes to the latest version", status=409))  # fmt: skip
    config = Config(audit=AuditConfig(path=tmp_path / "audit.jsonl"))
    app = build_app(config, Backends(cluster), clock=lambda: NOW)

    async def conflicted(pilot: Pilot[None]) -> None:
        await scale_to_five(pilot)
        await pilot.press("y")
        await painted(pilot, lambda: isinstance(pilot.app.screen, ReloadScreen))

    assert snap_compare(app, terminal_size=(80, 24), run_before=conflicted)
