"""The scale dialog warns when a HorizontalPodAutoscaler owns the replica count:
before a number is typed and again in the confirmation; a cluster that cannot
say (no autoscaling API, no permission, too slow) gives no warning and still scales."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import screens.deployment_actions
from adapters.base import Forbidden, Kind
from console.models import Hpa
from screens.confirm import ConfirmScreen
from screens.scale import ScaleScreen
from tests.ui.conftest import screen_text, table, wait_for
from tests.ui.test_deployments_sandbox import console_on
from tests.ui.test_operation_screens import Make, make, open_deployments  # noqa: F401

if TYPE_CHECKING:
    from console.sandbox.server import ThreadedSandbox

OWNS = "HorizontalPodAutoscaler llm-gateway owns the replica count"


def warnings_shown(app: object) -> list[str]:
    screen = app.screen  # type: ignore[attr-defined]
    return [str(w.render()) for w in screen.query(".warning")]


async def test_s_on_an_autoscaled_sandbox_deployment_warns_before_a_number_is_typed(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    async with console_on(sandbox, tmp_path) as (app, pilot, _):
        table(app).move_cursor("serving/llm-gateway")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen), timeout=10)
        [warning] = warnings_shown(app)
        assert OWNS in warning
        assert "(min 2, max 8)" in warning
        await wait_for(pilot, lambda: "HorizontalPodAutoscaler llm-gateway" in screen_text(app))
        assert "override a manual scale" in screen_text(app)  # all of it fits at 80x24
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ScaleScreen))
        table(app).move_cursor("serving/reranker")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen), timeout=10)
        assert warnings_shown(app) == []
        assert "HorizontalPodAutoscaler" not in screen_text(app)
        await pilot.press("escape")


def llama_hpa() -> Hpa:
    return Hpa(namespace="inference", name="llama-70b", target_kind="Deployment",
               target_name="llama-70b", min_replicas=2, max_replicas=6)


async def test_the_confirmation_repeats_the_hpa_warning(make: Make) -> None:  # noqa: F811
    app, cluster = make()
    cluster.objects[Kind.HPA]["inference/llama-70b"] = llama_hpa()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        assert any("HorizontalPodAutoscaler llama-70b owns" in w for w in warnings_shown(app))
        await pilot.press("backspace", "5", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        screen = app.screen
        assert isinstance(screen, ConfirmScreen)
        assert any("HorizontalPodAutoscaler llama-70b owns" in w
                   for w in screen.preview.warnings)
        await pilot.press("n")


async def test_hpas_that_cannot_be_read_give_no_warning_and_the_scale_goes_on(
    make: Make, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    app, cluster = make()
    cluster.objects[Kind.HPA]["inference/llama-70b"] = llama_hpa()

    async def refused(namespace: str) -> list[Hpa]:
        raise Forbidden("horizontalpodautoscalers is forbidden")

    monkeypatch.setattr(cluster, "autoscalers", refused)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        assert warnings_shown(app) == []
        await pilot.press("backspace", "5", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: ("scale llama-70b 5", False) in cluster.calls)


async def test_a_slow_hpa_list_is_given_up_on_and_the_dialog_opens(
    make: Make, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    app, cluster = make()

    async def hanging(namespace: str) -> list[Hpa]:
        await asyncio.sleep(3600)
        return []

    monkeypatch.setattr(cluster, "autoscalers", hanging)
    monkeypatch.setattr(screens.deployment_actions, "HPA_TIMEOUT", 0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_deployments(app, pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
        assert warnings_shown(app) == []
        await pilot.press("escape")
