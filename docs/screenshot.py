"""Regenerate the README's screenshots from the app running on a fresh sandbox.

    python -m docs.screenshot        (or: make screenshot)

Each SVG is Textual's own screenshot export of the real console over the real
adapters; nothing is drawn by hand.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from adapters.docker import DockerAdapter
from adapters.kubernetes import KubernetesAdapter
from adapters.prometheus import PrometheusAdapter
from console.app import Backends, build_app
from console.config import Config
from console.sandbox.server import ThreadedSandbox

HERE = Path(__file__).parent
SIZE = (120, 34)


async def shoot(sandbox: ThreadedSandbox, kubeconfig: Path) -> None:
    backends = Backends(
        KubernetesAdapter(kubeconfig=str(kubeconfig)),
        PrometheusAdapter(sandbox.prometheus_url or ""),
        DockerAdapter(sandbox.docker_url),
        sandbox=True,
    )
    app = build_app(Config(), backends)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(3.0)
        app.save_screenshot(str(HERE / "screenshot.svg"))
        await pilot.press("2")
        await pilot.pause(6.0)
        app.save_screenshot(str(HERE / "metrics.svg"))
        await pilot.press("3")
        await pilot.pause(3.0)
        app.save_screenshot(str(HERE / "alerts.svg"))


def main() -> None:
    with ThreadedSandbox(seed=7) as sandbox, tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        sandbox.write_kubeconfig(kubeconfig)
        asyncio.run(shoot(sandbox, kubeconfig))
    print(f"wrote {', '.join(p.name for p in sorted(HERE.glob('*.svg')))} in {HERE}")


if __name__ == "__main__":
    main()
