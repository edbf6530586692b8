"""The context switcher (``K``) against two sandboxes behind one kubeconfig: the
console leaves one cluster for the other, shows only the new one's objects, follows
its changes (and no longer the old one's), and takes the new context's safety."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from adapters.kubernetes import KubernetesAdapter
from console.app import Backends, build_app
from console.config import Config, KubernetesConfig
from console.sandbox import kubeconfig
from console.sandbox.server import ThreadedSandbox
from screens.context_picker import ContextPicker
from screens.deployments import DeploymentsScreen
from screens.nodes import NodesScreen
from tests.ui.conftest import screen_text, table, wait_for

ROW = "serving/reranker"


@pytest.fixture
def staging() -> Iterator[ThreadedSandbox]:
    """A second cluster (another seed) to switch to."""
    with ThreadedSandbox(seed=11, speed=4.0) as sb:
        yield sb


def two_contexts(prod: ThreadedSandbox, staging: ThreadedSandbox, path: Path) -> str:
    """A kubeconfig with contexts "prod" (current) and "staging"."""
    config = {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": "prod", "cluster": {"server": prod.kube_url}},
                     {"name": "staging", "cluster": {"server": staging.kube_url}}],
        "users": [{"name": "oncall", "user": {}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": "oncall"}}
                     for name in ("prod", "staging")],
        "current-context": "prod",
    }
    return str(kubeconfig.write(config, path))


def desired(app: object) -> str:
    """The READY cell's desired count of the reranker row."""
    return table(app).cell_texts(ROW)[2].split("/")[1]  # type: ignore[arg-type]


async def test_switching_context_shows_the_other_cluster_and_its_safety(
    fresh_sandbox: ThreadedSandbox, staging: ThreadedSandbox, tmp_path: Path
) -> None:
    path = two_contexts(fresh_sandbox, staging, tmp_path / "kubeconfig")
    prod_api, staging_api = (KubernetesAdapter(path, ctx) for ctx in ("prod", "staging"))
    await prod_api.connect()
    await staging_api.connect()
    await staging_api.scale("serving", "reranker", 5)
    backends = Backends(KubernetesAdapter(path), cluster_for=partial(KubernetesAdapter, path))
    config = Config(kubernetes=KubernetesConfig(read_only_contexts=["prod"]))
    app = build_app(config, backends)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: ROW in table(app).row_keys, timeout=10)
            assert (app.context, app.read_only, desired(app)) == ("prod", True, "2")
            assert "READ-ONLY" in screen_text(app).splitlines()[0]

            await pilot.press("K")
            await wait_for(pilot, lambda: isinstance(app.screen, ContextPicker))
            await pilot.press(*"stag", "enter")
            await wait_for(pilot, lambda: app.context == "staging")
            await wait_for(pilot, lambda: isinstance(app.screen, DeploymentsScreen)
                           and ROW in table(app).row_keys, timeout=10)
            assert desired(app) == "5"  # staging's reranker, not prod's
            assert not app.read_only
            assert "READ-ONLY" not in screen_text(app).splitlines()[0]
            assert "⎈ staging" in screen_text(app).splitlines()[0]
            assert app.screen.active_bindings["s"].enabled  # scale allowed again

            # The console follows staging now, and no longer prod.
            await prod_api.scale("serving", "reranker", 7)
            await staging_api.scale("serving", "reranker", 3)
            await wait_for(pilot, lambda: desired(app) == "3", timeout=5)
            await pilot.pause(0.5)
            assert desired(app) == "3"
    finally:
        await prod_api.close()
        await staging_api.close()


async def test_the_switch_keeps_the_area_and_rebuilds_it_for_the_new_cluster(
    sandbox: ThreadedSandbox, staging: ThreadedSandbox, tmp_path: Path
) -> None:
    path = two_contexts(sandbox, staging, tmp_path / "kubeconfig")
    backends = Backends(KubernetesAdapter(path), cluster_for=partial(KubernetesAdapter, path))
    app = build_app(Config(), backends)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: ROW in table(app).row_keys, timeout=10)
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, NodesScreen))
        nodes = app.screen
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, ContextPicker))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.context == "staging")
        await wait_for(pilot, lambda: isinstance(app.screen, NodesScreen)
                       and app.screen is not nodes)
        assert app.current_mode == "nodes"
        await pilot.press("1")
        await wait_for(pilot, lambda: ROW in table(app).row_keys, timeout=10)


async def test_a_console_that_cannot_switch_says_how_to_start_on_the_other_context(
    sandbox: ThreadedSandbox, staging: ThreadedSandbox, tmp_path: Path
) -> None:
    path = two_contexts(sandbox, staging, tmp_path / "kubeconfig")
    app = build_app(Config(), Backends(KubernetesAdapter(path)))  # no cluster_for
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: ROW in table(app).row_keys, timeout=10)
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, ContextPicker))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: any("--context staging" in n.message
                                          for n in app._notifications))
        assert app.context == "prod"
