"""At 80 columns the Pods table cuts the status; the line under it says it whole."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from adapters.kubernetes import KubernetesAdapter
from console.app import Backends, build_app
from console.config import Config
from console.sandbox.server import ThreadedSandbox
from screens.pods import PodsScreen
from tests.ui.conftest import screen_text, table, wait_for


async def test_the_crash_looping_pod_is_detailed_under_the_table_at_80x24(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    sandbox.write_kubeconfig(kubeconfig)
    app = build_app(Config(), Backends(KubernetesAdapter(kubeconfig=str(kubeconfig))))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "serving/stable-diffusion-xl" in table(app).row_keys,
                       timeout=10)
        table(app).move_cursor("serving/stable-diffusion-xl")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodsScreen))
        pods = app.screen
        await wait_for(pilot, lambda: "CrashLoopBackOff (" in str(
            pods.query_one("#detail", Static).render()), timeout=10)
        detail = str(pods.query_one("#detail", Static).render())
        first, second, third, *_ = detail.splitlines()
        assert first.startswith("serving/stable-diffusion-xl-")
        assert second.startswith("node gpu-") and "QoS Burstable" in second
        assert third.startswith("stable-diffusion-xl: waiting CrashLoopBackOff (last exit:")
        assert "CrashLoopBackOff (" in screen_text(app)  # whole on screen, not cut
