"""The Deployments screen against the real sandbox through the real KubernetesAdapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from textual.pilot import Pilot

from adapters.kubernetes import KubernetesAdapter
from console.app import Backends, OpsConsoleApp, build_app
from console.config import Config
from tests.ui.conftest import screen_text, table, wait_for

if TYPE_CHECKING:
    from console.sandbox.server import ThreadedSandbox

Running = tuple[OpsConsoleApp, Pilot[None], KubernetesAdapter]


@asynccontextmanager
async def console_on(sandbox: ThreadedSandbox, tmp_path: Path) -> AsyncIterator[Running]:
    """The console at 80x24 over ``sandbox``, once its first deployments are shown."""
    kubeconfig = tmp_path / "kubeconfig"
    sandbox.write_kubeconfig(kubeconfig)
    adapter = KubernetesAdapter(kubeconfig=str(kubeconfig))
    app = build_app(Config(), Backends(adapter, sandbox=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count > 0, timeout=10)
        yield app, pilot, adapter


async def test_the_sandbox_deployments_appear_with_the_sandbox_badge(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    async with console_on(sandbox, tmp_path) as (app, _, _):
        keys = table(app).row_keys
        assert "serving/llama3-70b-instruct" in keys
        assert keys == sorted(keys)
        assert "⎈ sandbox" in screen_text(app).splitlines()[0]


async def test_a_scale_through_the_api_updates_that_row_and_keeps_the_cursor(
    fresh_sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    async with console_on(fresh_sandbox, tmp_path) as (app, pilot, adapter):
        table(app).move_cursor("serving/llm-gateway")
        await adapter.scale("serving", "reranker", 4)
        await wait_for(pilot, lambda: table(app).cell_texts("serving/reranker")[2].endswith("/4"))
        assert table(app).cursor_key == "serving/llm-gateway"
        assert table(app).row_keys.count("serving/reranker") == 1


async def test_filter_and_namespace_switch_narrow_the_sandbox_list(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    async with console_on(sandbox, tmp_path) as (app, pilot, _):
        everything = table(app).row_count
        await pilot.press("slash", *"vllm")
        assert 0 < table(app).row_count < everything
        assert all("vllm" in table(app).cell_texts(k)[6] for k in table(app).row_keys)
        await pilot.press("escape")
        assert table(app).row_count == everything
        await pilot.press("n")
        await wait_for(pilot, lambda: "platform" in screen_text(app))
        await pilot.press(*"platform", "enter")
        assert app.namespace == "platform"
        assert {k.split("/")[0] for k in table(app).row_keys} == {"platform"}
