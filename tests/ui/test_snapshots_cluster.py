"""Snapshots of the Nodes area, the help screen and the namespace picker over
``SnapshotCluster``'s frozen world and clock.

Update after an intended visual change with ``pytest tests/ui/test_snapshots_cluster.py
--snapshot-update``, then look at every changed SVG.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList

from console.app import Backends, OpsConsoleApp, build_app
from console.config import Config
from screens.context_picker import ContextPicker
from screens.deployments import DeploymentsScreen
from screens.help import HelpScreen
from screens.namespace_picker import NamespacePicker
from screens.node_columns import node_columns
from screens.nodes import NodesScreen
from screens.widgets.resource_table import ResourceTable
from tests.ui.fakes import NOW
from tests.ui.snapshot_support import SnapshotCluster, painted

Snap = Callable[..., bool]
#: Column keys in table order (hidden ones included, as ``cell_texts`` gives them).
NODE_COLUMNS = [c.key for c in node_columns(lambda: NOW)]


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.fixture
def app() -> OpsConsoleApp:
    """The console over ``SnapshotCluster``, the clock frozen."""
    return build_app(Config(), Backends(SnapshotCluster()), clock=lambda: NOW)


async def open_nodes(pilot: Pilot[None]) -> None:
    """Switch to the Nodes area and wait until the H100 node counts its pods' GPUs."""
    await pilot.press("4")

    def counted() -> bool:
        screen = pilot.app.screen
        if not isinstance(screen, NodesScreen):
            return False
        table = screen.query_one("#nodes", ResourceTable)
        if table.row_count != 4 or table.row("gpu-h100-01") is None:
            return False
        return table.cell_texts("gpu-h100-01")[NODE_COLUMNS.index("gpu_alloc")].strip() == "6/8"

    await painted(pilot, counted)


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (160, 40)], ids=size_id)
def test_nodes_snapshot(app: OpsConsoleApp, snap_compare: Snap, size: tuple[int, int]) -> None:
    """Full H100s 6/8 allocated, an A100 in MIG slices, time-sliced L4s and a cordoned
    CPU node; roles, age and taints appear as the terminal widens."""
    assert snap_compare(app, terminal_size=size, run_before=open_nodes)


async def deployments_listed(pilot: Pilot[None]) -> None:
    def listed() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, DeploymentsScreen) and screen.table.row_count == 2

    await painted(pilot, listed)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=size_id)
def test_help_snapshot(app: OpsConsoleApp, snap_compare: Snap, size: tuple[int, int]) -> None:
    """``?`` over the Deployments screen: every key, what it does and where."""

    async def helped(pilot: Pilot[None]) -> None:
        await deployments_listed(pilot)
        await pilot.press("question_mark")

        def listed() -> bool:
            screen = pilot.app.screen
            return isinstance(screen, HelpScreen) and screen.query_one(DataTable).row_count > 10

        await painted(pilot, listed)

    assert snap_compare(app, terminal_size=size, run_before=helped)


def test_namespace_picker_snapshot(app: OpsConsoleApp, snap_compare: Snap) -> None:
    """``n``: all namespaces (the current choice) and the three namespaces."""

    async def picking(pilot: Pilot[None]) -> None:
        await deployments_listed(pilot)
        await pilot.press("n")

        def listed() -> bool:
            screen = pilot.app.screen
            return (isinstance(screen, NamespacePicker)
                    and screen.query_one(OptionList).option_count == 4)  # fmt: skip

        await painted(pilot, listed)

    assert snap_compare(app, terminal_size=(80, 24), run_before=picking)


def test_context_picker_snapshot(app: OpsConsoleApp, snap_compare: Snap) -> None:
    """``K``: the kubeconfig's contexts, the current one highlighted."""

    async def picking(pilot: Pilot[None]) -> None:
        await deployments_listed(pilot)
        await pilot.press("K")

        def listed() -> bool:
            screen = pilot.app.screen
            return (isinstance(screen, ContextPicker)
                    and screen.query_one(OptionList).option_count == 3)  # fmt: skip

        await painted(pilot, listed)

    assert snap_compare(app, terminal_size=(80, 24), run_before=picking)
