"""Scale, rollback, restart and delete through the screens: every path and refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from adapters.base import Conflict, Forbidden, Kind
from console.app import Backends, OpsConsoleApp, build_app
from console.audit import read_records
from console.config import AuditConfig, Config, KubernetesConfig
from console.models import Pod
from screens.confirm import ConfirmScreen, ReloadScreen
from screens.deployments import DeploymentsScreen
from screens.pods import PodsScreen
from screens.rollback import RollbackScreen
from screens.scale import ScaleScreen
from screens.widgets.resource_table import ResourceTable
from tests.ui.conftest import wait_for
from tests.ui.fakes import NOW
from tests.ui.ops_fakes import OpsCluster, pod

Make = Callable[..., tuple[OpsConsoleApp, OpsCluster]]


@pytest.fixture
def make(tmp_path: Path) -> Make:
    def build(
        *, read_only: bool = False, protected: bool = False
    ) -> tuple[OpsConsoleApp, OpsCluster]:
        cluster = OpsCluster()
        config = Config(
            audit=AuditConfig(path=tmp_path / "audit.jsonl"),
            kubernetes=KubernetesConfig(protected_contexts=["fake"] if protected else []),
        )
        app = build_app(config, Backends(cluster), clock=lambda: NOW, read_only=read_only)
        return app, cluster

    return build


async def open_deployments(app: OpsConsoleApp, pilot: Pilot[None], row: int = 0) -> None:
    await app.push_screen(DeploymentsScreen())
    await wait_for(pilot, lambda: app.screen.query_one(ResourceTable).row_count == 2)
    for _ in range(row):
        await pilot.press("down")


def notes(app: OpsConsoleApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_scale_validates_the_count_then_previews_confirms_and_audits(
    make: Make, tmp_path: Path
) -> None:
    app, cluster = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        await pilot.press("minus", "1")
        problem = app.screen.query_one("#problem")
        assert str(problem.render()) == "replicas cannot be negative (got -1)"
        await pilot.press("enter")
        assert isinstance(app.screen, ScaleScreen)
        await pilot.press("backspace", "backspace", "5", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        screen = app.screen
        assert isinstance(screen, ConfirmScreen)
        assert (
            screen.preview.summary == "scale deployment inference/llama-70b to 5 replicas (now 3)"
        )
        assert "+  replicas: 5" in screen.preview.diff
        await pilot.press("y")
        await wait_for(pilot, lambda: ("scale llama-70b 5", False) in cluster.calls)
        await wait_for(
            pilot, lambda: "scaled deployment inference/llama-70b to 5 replicas" in notes(app)
        )
    assert cluster.calls == [("scale llama-70b 5", True), ("scale llama-70b 5", False)]
    assert [r.phase for r in read_records(tmp_path / "audit.jsonl")] == ["intent", "outcome"]


async def test_read_only_shows_scale_disabled_and_says_why_when_pressed(make: Make) -> None:
    app, cluster = make(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        assert app.screen.active_bindings["s"].enabled is False
        await pilot.press("s", "R")
        await pilot.pause()
        assert not isinstance(app.screen, ScaleScreen)
        assert notes(app) == [
            "context fake is read-only (--read-only or kubernetes.read_only_contexts in "
            "config); scale is disabled",
            "context fake is read-only (--read-only or kubernetes.read_only_contexts in "
            "config); restart is disabled",
        ]
    assert cluster.calls == []


async def test_a_forbidden_dry_run_says_what_is_not_allowed(make: Make) -> None:
    app, cluster = make()
    cluster.fail_next.append(Forbidden("scale is forbidden", status=403))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("s", "4", "enter")
        await wait_for(pilot, lambda: bool(notes(app)))
        assert notes(app) == [
            "you are not allowed to scale deployments in namespace inference "
            "(RBAC: patch deployments/scale)"
        ]
        assert not isinstance(app.screen, ConfirmScreen)
    assert cluster.calls == [("scale llama-70b 4", True)]


async def test_a_conflict_offers_to_reload_and_reopens_the_dialog(make: Make) -> None:
    app, cluster = make()
    cluster.fail_next.append(Conflict("the object has been modified", status=409))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("s", "4", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ReloadScreen))
        assert notes(app)[-1] == (
            "someone else changed deployment inference/llama-70b since you loaded it; "
            "reload and try again"
        )
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))


async def test_a_protected_context_confirms_only_with_the_typed_name(make: Make) -> None:
    app, cluster = make(protected=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.query_one("#mismatch").has_class("-shown")
        await pilot.press("backspace", *"llama-70b", "enter")
        await wait_for(pilot, lambda: ("restart llama-70b", False) in cluster.calls)


async def test_cancelling_the_confirmation_changes_nothing(make: Make, tmp_path: Path) -> None:
    app, cluster = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: "nothing was changed" in notes(app))
    assert cluster.calls == [("restart llama-70b", True)]
    assert not (tmp_path / "audit.jsonl").exists()


async def test_restart_of_a_paused_deployment_is_refused_with_the_reason(make: Make) -> None:
    app, cluster = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot, row=1)
        await pilot.press("R")
        await wait_for(pilot, lambda: bool(notes(app)))
        assert "a paused deployment cannot be restarted" in notes(app)[0]
    assert cluster.calls == []


async def test_rollback_lists_revisions_diffs_the_previous_one_and_rolls_back(make: Make) -> None:
    app, cluster = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackScreen))
        screen = app.screen
        assert isinstance(screen, RollbackScreen)
        await wait_for(pilot, lambda: len(screen.history) == 3)
        assert [(i.revision, i.current) for i in screen.history] == [
            (3, True), (2, False), (1, False),
        ]  # fmt: skip
        diff = screen.query_one("#diff-text")
        await wait_for(pilot, lambda: "+  - image: vllm:2-bad" in str(diff.render()))
        await pilot.press("down")
        await wait_for(pilot, lambda: "+  - image: vllm:1" in str(diff.render()))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: ("rollback llama-70b 1", False) in cluster.calls)


async def test_rolling_back_to_the_current_revision_is_refused(make: Make) -> None:
    app, cluster = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackScreen))
        await wait_for(pilot, lambda: len(app.screen.history) == 3)  # type: ignore[attr-defined]
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: bool(notes(app)))
        assert notes(app) == ["revision 3 is already the current revision"]
    assert cluster.calls == []


async def test_rollback_of_a_paused_deployment_is_refused_with_the_way_out(make: Make) -> None:
    app, cluster = make()
    llama = cluster.objects[Kind.DEPLOYMENT]["inference/llama-70b"]
    cluster.objects[Kind.DEPLOYMENT][llama.key] = llama.model_copy(update={"paused": True})
    async with app.run_test(size=(100, 30)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackScreen))
        await wait_for(pilot, lambda: len(app.screen.history) == 3)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(notes(app)))
        assert "kubectl rollout resume deployment/llama-70b" in notes(app)[0]
    assert cluster.calls == []


async def test_enter_opens_the_pods_of_a_deployment_and_d_deletes_one(make: Make) -> None:
    app, cluster = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodsScreen))
        pods = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: pods.row_count == 2)
        assert pods.row_keys == ["inference/llama-70b-7d9f-aaaaa", "inference/llama-70b-7d9f-bbbbb"]
        assert pods.cell_texts("inference/llama-70b-7d9f-aaaaa") == (
            "llama-70b-7d9f-aaaaa", "1/1", "Running", "0", "gpu-1", "Guaranteed", "1", "60m",
        )  # fmt: skip
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: ("delete llama-70b-7d9f-aaaaa", False) in cluster.calls)


async def test_the_pods_of_a_500_pod_deployment_open_among_5000_without_the_others(
    make: Make,
) -> None:
    """How long opening them takes is ``python -m bench.pods_open``."""
    app, cluster = make()
    for i in range(5_000):
        owner = "llama-70b-7d9f" if i < 500 else f"other-{i % 40}-5c4b"
        extra = pod(f"{owner}-{i:05d}", rs=owner)
        cluster.objects[Kind.POD][extra.key] = extra
    owned = {key for key, obj in cluster.objects[Kind.POD].items()
             if isinstance(obj, Pod) and obj.owner_name == "llama-70b-7d9f"}  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await open_deployments(app, pilot)
        store = app.cluster_store(Kind.POD)
        assert store is not None
        await store.wait_synced(timeout=10)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodsScreen))
        table = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: table.row_count == 502)
        assert set(table.row_keys) == owned
