"""Opening the pods of a 500-pod deployment among about 5,500 pods.

    python -m bench.pods_open [--pods 5000] [--nodes 70] [--replicas 500]

Budget: the Pods screen of a 500-pod deployment shows all its rows <= 0.5 s after
it is opened, with the console already watching every pod.

The sandbox runs in its own process; the adapter scales ``bench/echo-000`` to
``--replicas`` and waits for its pods. The console (``App.run_test``, headless)
then opens that deployment's Pods screen from the Deployments screen ``RUNS``
times, each timed from ``enter`` on its row to the table holding every pod of the
deployment and the first of them painted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

from adapters.base import Kind
from adapters.kubernetes import KubernetesAdapter
from console.app import Backends, OpsConsoleApp, build_app
from console.config import Config
from console.models import Pod
from console.sandbox.process import spawn
from screens.pod_columns import owned_by_deployment
from screens.pods import PodsScreen
from screens.widgets.resource_table import ResourceTable

RUNS = 7
BUDGET = 0.5
NAMESPACE, DEPLOYMENT = "bench", "echo-000"
#: Bounds each wait, so a broken console fails the benchmark rather than hangs it.
PATIENCE = 60.0


async def until(condition: Callable[[], bool], what: str, poll: float = 0.005) -> None:
    """Poll ``condition()`` until it holds. Raises ``TimeoutError`` naming ``what``."""
    deadline = time.perf_counter() + PATIENCE
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{what} not seen after {PATIENCE:.0f} s")
        await asyncio.sleep(poll)


async def scale(kubeconfig: str, replicas: int) -> int:
    """Scale the deployment to ``replicas`` and wait for its pods; returns how many
    pods the cluster then holds."""
    adapter = KubernetesAdapter(kubeconfig=kubeconfig, context="sandbox")
    await adapter.connect()
    await adapter.scale(NAMESPACE, DEPLOYMENT, replicas)
    deadline = time.perf_counter() + PATIENCE
    while True:
        pods = (await adapter.list(Kind.POD)).items
        owned = sum(1 for p in pods if isinstance(p, Pod) and owned_by_deployment(p, DEPLOYMENT))
        if owned == replicas:
            break
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{DEPLOYMENT} has {owned} of {replicas} pods")
        await asyncio.sleep(0.5)
    await adapter.close()
    return len(pods)


def painted(app: OpsConsoleApp, text: str) -> bool:
    """Whether ``text`` is on the screen once the current screen is rendered."""
    return any(text in strip.text for strip in app.screen._compositor.render_strips())


async def open_once(app: OpsConsoleApp, replicas: int) -> float:
    """Seconds from ``enter`` on the deployment's row to the Pods screen's table
    holding ``replicas`` rows and the first of them painted; the Pods screen is
    closed again before returning."""
    deployments = app.screen
    deployments.query_one(ResourceTable).move_cursor(f"{NAMESPACE}/{DEPLOYMENT}")
    started = time.perf_counter()
    app.simulate_key("enter")
    await until(lambda: isinstance(app.screen, PodsScreen), "the Pods screen")
    table = app.screen.query_one(ResourceTable)
    await until(lambda: table.row_count == replicas, "every pod")
    first = table.row_keys[0].partition("/")[2]
    if not painted(app, first):
        raise RuntimeError(f"{first} is not on the screen")
    elapsed = time.perf_counter() - started
    app.pop_screen()
    await until(lambda: app.screen is deployments, "the Deployments screen again")
    return elapsed


async def open_times(kubeconfig: str, replicas: int) -> list[float]:
    """``RUNS`` timings of ``open_once`` from the Deployments screen of a console
    already watching every deployment and pod."""
    adapter = KubernetesAdapter(kubeconfig=kubeconfig, context="sandbox")
    app = build_app(Config(), Backends(adapter), tune_gc=True)  # as the CLI runs it
    async with app.run_test(size=(120, 40)):
        pods = app.cluster_store(Kind.POD)
        assert pods is not None
        await pods.wait_synced(timeout=PATIENCE)
        table = app.screen.query_one(ResourceTable)
        await until(lambda: table.row(f"{NAMESPACE}/{DEPLOYMENT}") is not None, DEPLOYMENT)
        times = [await open_once(app, replicas) for _ in range(RUNS)]
        await app.action_quit()
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--nodes", type=int, default=70)
    parser.add_argument("--replicas", type=int, default=500)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with spawn(["--pods", str(args.pods), "--nodes", str(args.nodes)], timeout=120) as sandbox:
        total = asyncio.run(scale(sandbox.kubeconfig, args.replicas))
        print(f"sandbox with {total} pods, {args.replicas} of them in {NAMESPACE}/{DEPLOYMENT}, "
              f"ready in {time.perf_counter() - started:.1f} s (pid {sandbox.pid})")
        times = asyncio.run(open_times(sandbox.kubeconfig, args.replicas))
    print(f"open the pods of a {args.replicas}-pod deployment  median "
          f"{statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f}; "
          f"{RUNS} runs)  budget {BUDGET:.1f} s")


if __name__ == "__main__":
    main()
