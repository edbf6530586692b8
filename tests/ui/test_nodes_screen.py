"""The Nodes area against the real sandbox through the real KubernetesAdapter, at 80x24."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual.pilot import Pilot

from adapters.base import Kind
from adapters.kubernetes import KubernetesAdapter
from console.app import Backends, OpsConsoleApp, build_app
from console.audit import read_records
from console.config import AuditConfig, Config
from console.models import Pod
from screens.confirm import ConfirmScreen
from screens.node_columns import node_columns
from screens.nodes import NodesScreen
from screens.pods import PodsScreen
from screens.widgets.resource_table import ResourceTable
from tests.ui.conftest import screen_text, wait_for

if TYPE_CHECKING:
    from console.sandbox.server import ThreadedSandbox

Running = tuple[OpsConsoleApp, Pilot[None]]
#: Column keys in table order (hidden ones included, as ``cell_texts`` gives them).
COLUMNS = [c.key for c in node_columns(lambda: datetime.now(UTC))]


@asynccontextmanager
async def nodes_area(
    sandbox: ThreadedSandbox, tmp_path: Path, *, read_only: bool = False
) -> AsyncIterator[Running]:
    """The console at 80x24 over ``sandbox``, switched to the Nodes area (key 6)
    once its nodes and their pods' requests are shown."""
    kubeconfig = tmp_path / "kubeconfig"
    sandbox.write_kubeconfig(kubeconfig)
    config = Config(audit=AuditConfig(path=tmp_path / "audit.jsonl"))
    adapter = KubernetesAdapter(kubeconfig=str(kubeconfig))
    app = build_app(config, Backends(adapter, sandbox=True), read_only=read_only)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, NodesScreen))
        await wait_for(pilot, lambda: cell(app, "gpu-h100-01", "pods") not in ("", "0"),
                       timeout=10)  # fmt: skip
        yield app, pilot


def nodes_table(app: OpsConsoleApp) -> ResourceTable:  # type: ignore[type-arg]
    return app.screen.query_one("#nodes", ResourceTable)


def cell(app: OpsConsoleApp, node: str, column: str) -> str:
    """The text of ``node``'s cell in ``column`` (a key of ``COLUMNS``); "" while
    the node is not listed yet."""
    table = nodes_table(app)
    if table.row(node) is None:
        return ""
    return table.cell_texts(node)[COLUMNS.index(column)].strip()


def notes(app: OpsConsoleApp) -> list[str]:
    return [n.message for n in app._notifications]


def pods_on(app: OpsConsoleApp, node: str) -> list[Pod]:
    store = app.cluster_store(Kind.POD)
    assert store is not None
    return [p for p in store.items.values() if isinstance(p, Pod) and p.node == node]


async def test_nodes_show_their_gpus_and_what_the_pods_on_them_request(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    async with nodes_area(sandbox, tmp_path) as (app, pilot):
        header = screen_text(app).splitlines()[1].split()
        assert header == ["NAME", "STATUS", "GPU", "GPU", "ALLOC", "CPU", "MEM", "GiB", "PODS"]
        assert (cell(app, "gpu-h100-01", "status"), cell(app, "gpu-h100-01", "gpu")) == (
            "Ready", "H100 full",
        )  # fmt: skip
        assert cell(app, "gpu-a10g-shared-01", "gpu") == "A10G shared"
        assert re.fullmatch(r"1g:\d+/28 3g:\d+/8", cell(app, "gpu-a100-mig-01", "gpu_alloc"))
        assert (cell(app, "cpu-01", "gpu"), cell(app, "cpu-01", "gpu_alloc")) == ("-", "-")
        await wait_for(pilot, lambda: _gpus_match_pods(app, "gpu-h100-01"))


def _gpus_match_pods(app: OpsConsoleApp, node: str) -> bool:
    """Whether ``node``'s GPU ALLOC cell counts the GPUs its running pods request."""
    running = [p for p in pods_on(app, node) if p.phase not in ("Succeeded", "Failed")]
    requested = sum(p.gpu_request.get("nvidia.com/gpu", 0) for p in running)
    return cell(app, node, "gpu_alloc") == f"{requested}/8" and requested > 0


async def test_cordon_previews_confirms_audits_and_the_row_shows_scheduling_disabled(
    fresh_sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    async with nodes_area(fresh_sandbox, tmp_path) as (app, pilot):
        nodes_table(app).move_cursor("gpu-h100-02")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        preview = cast(ConfirmScreen, app.screen).preview
        assert preview.kubectl_line == "kubectl --context sandbox cordon gpu-h100-02"
        assert "+  unschedulable: true" in preview.diff
        await pilot.press("y")
        await wait_for(
            pilot, lambda: cell(app, "gpu-h100-02", "status") == "Ready,SchedulingDisabled"
        )
        assert "cordoned node gpu-h100-02; no new pods will be scheduled on it" in notes(app)
        records = read_records(tmp_path / "audit.jsonl")
        assert [(r.phase, r.action, r.kind, r.name) for r in records] == [
            ("intent", "cordon", "Node", "gpu-h100-02"),
            ("outcome", "cordon", "Node", "gpu-h100-02"),
        ]
        assert records[1].result == "ok"
        await pilot.press("c")
        await wait_for(pilot, lambda: any("already cordoned" in n for n in notes(app)))
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(read_records(tmp_path / "audit.jsonl")) == 2


async def test_read_only_refuses_cordon_and_says_why(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    async with nodes_area(sandbox, tmp_path, read_only=True) as (app, pilot):
        assert app.screen.active_bindings["c"].enabled is False
        await pilot.press("c", "u")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        reason = "context sandbox is read-only (--read-only or kubernetes.read_only_contexts in "
        assert notes(app) == [f"{reason}config); cordon is disabled",
                              f"{reason}config); uncordon is disabled"]  # fmt: skip
    assert not (tmp_path / "audit.jsonl").exists()


async def test_enter_opens_the_pods_on_that_node(sandbox: ThreadedSandbox, tmp_path: Path) -> None:
    async with nodes_area(sandbox, tmp_path) as (app, pilot):
        nodes_table(app).move_cursor("gpu-l40s-01")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodsScreen))
        pods = app.screen.query_one("#pods", ResourceTable)
        await wait_for(pilot, lambda: pods.row_count > 0)
        assert "Pods on node gpu-l40s-01" in screen_text(app)
        assert set(pods.row_keys) == {p.key for p in pods_on(app, "gpu-l40s-01")}
        await pilot.press("escape")
        assert isinstance(app.screen, NodesScreen)
