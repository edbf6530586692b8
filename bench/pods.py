"""Listing 5,000 pods: the adapter against kubectl, on one sandbox in a separate process.

    python -m bench.pods [--pods 5000] [--nodes 200]

Budget (issue 2): the adapter lists all pods in <= 1.0 s and holds them in <= 60 MB.
The sandbox runs in its own process so it does not share this interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import statistics
import subprocess
import time
import tracemalloc

from adapters.base import Kind
from adapters.kubernetes import KubernetesAdapter
from console.sandbox.process import spawn

RUNS = 5


async def adapter_figures(kubeconfig: str) -> tuple[list[float], int, float]:
    adapter = KubernetesAdapter(kubeconfig=kubeconfig, context="sandbox")
    await adapter.connect()
    await adapter.list(Kind.POD)  # warm the connection pool and the parse code
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = await adapter.list(Kind.POD)
        times.append(time.perf_counter() - start)
    count = len(result.items)
    del result
    gc.collect()
    tracemalloc.start()
    held = await adapter.list(Kind.POD)
    gc.collect()
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await adapter.close()
    assert len(held.items) == count
    return times, count, current / 2**20


def kubectl_seconds(kubeconfig: str) -> list[float]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return []
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([kubectl, "--kubeconfig", kubeconfig, "get", "pods", "-A", "-o", "json"],
                       check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--nodes", type=int, default=200)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with spawn(["--pods", str(args.pods), "--nodes", str(args.nodes)], timeout=120) as sandbox:
        print(f"sandbox with --pods {args.pods} --nodes {args.nodes} ready in "
              f"{time.perf_counter() - started:.1f} s (pid {sandbox.pid})")
        times, count, megabytes = asyncio.run(adapter_figures(sandbox.kubeconfig))
        print(f"adapter list pods    median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}; {RUNS} runs) for {count} pods  budget 1.0 s")
        print(f"adapter holds        {megabytes:.1f} MB for {count} parsed pods  budget 60 MB")
        ktimes = kubectl_seconds(sandbox.kubeconfig)
        if ktimes:
            print(f"kubectl get pods -A -o json  median {statistics.median(ktimes):.3f} s "
                  f"(min {min(ktimes):.3f}; {RUNS} runs)")
        else:
            print("kubectl not found: no comparison")


if __name__ == "__main__":
    main()
