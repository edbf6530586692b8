"""A change made elsewhere, on the console's screen: watch-event-to-screen latency.

    python -m bench.watch [--changes 20]

Issue 2: "a console running against the same sandbox sees each change within a
second". The sandbox runs alone in a separate process (``opsconsole sandbox``); the
console runs in a pseudo-terminal against its kubeconfig, like a second operator's.
Each change is a scale of one Deployment sent straight to the API (a PATCH of the
``scale`` subresource, as ``kubectl scale`` sends); the clock runs from just before
the request until the new desired count is *on the emulated screen*. Five more changes
are made with ``kubectl scale`` itself, each timed from the moment kubectl returns.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.terminal import PtyConsole
from console.sandbox.process import spawn

BUDGET = 1.0
NAMESPACE, NAME = "serving", "reranker"


def scale(server: str, replicas: int) -> None:
    """PATCH ``deployments/NAME/scale`` to ``replicas``, as kubectl scale does."""
    body = json.dumps({"spec": {"replicas": replicas}}).encode()
    request = urllib.request.Request(
        f"{server}/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{NAME}/scale",
        data=body, method="PATCH",
        headers={"Content-Type": "application/merge-patch+json"},
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        answer.read()


def shown(console: PtyConsole, replicas: int) -> bool:
    """Whether the Deployment's row shows ``replicas`` desired (READY ``n/replicas``)."""
    for line in console.screen.display:
        cells = line.split()
        if len(cells) > 2 and cells[:2] == [NAMESPACE, NAME]:
            return cells[2].endswith(f"/{replicas}")
    return False


def until_shown(console: PtyConsole, replicas: int, timeout: float = 10.0) -> float:
    """Seconds until the row shows ``replicas``; raises TimeoutError after ``timeout``."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        console.pump(0.002)
        if shown(console, replicas):
            return time.perf_counter() - start
    raise TimeoutError(f"{NAME} never showed {replicas} replicas:\n{console.text()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.watch")
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="opsconsole-bench-") as tmp:
        kubeconfig = str(Path(tmp) / "kubeconfig")
        with spawn(["--kubeconfig-out", kubeconfig]) as sandbox:
            console = PtyConsole(["--kubeconfig", kubeconfig, "--context", "sandbox"])
            try:
                console.wait_for(NAME)
                latencies = []
                for i in range(args.changes):
                    replicas = 3 + i % 2 * 2  # 3, 5, 3, 5, …: every change is a change
                    time.sleep(0.25)  # let the console settle between changes
                    start = time.perf_counter()
                    scale(sandbox.kube_url, replicas)
                    until_shown(console, replicas)
                    latencies.append(time.perf_counter() - start)
                via_kubectl = kubectl_changes(kubeconfig, console)
            finally:
                console.close()
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(f"API change to screen   median {statistics.median(latencies) * 1000:6.1f} ms  "
          f"p95 {p95 * 1000:6.1f} ms  max {latencies[-1] * 1000:6.1f} ms  "
          f"({len(latencies)} scales)  budget {BUDGET * 1000:.0f} ms")
    if via_kubectl:
        took, after = zip(*via_kubectl, strict=True)
        print(f"kubectl scale          on screen median {statistics.median(after) * 1000:6.1f} ms "
              f"(max {max(after) * 1000:.1f}) after kubectl returned; kubectl itself took "
              f"median {statistics.median(took) * 1000:.1f} ms ({len(after)} runs)")


def kubectl_changes(
    kubeconfig: str, console: PtyConsole, runs: int = 5
) -> list[tuple[float, float]]:
    """(kubectl's own time, screen time after it returned) for ``runs`` ``kubectl
    scale`` commands; empty without kubectl."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return []
    figures = []
    for i in range(runs):
        replicas = 4 + i % 2 * 2
        time.sleep(0.25)
        start = time.perf_counter()
        subprocess.run([kubectl, "--kubeconfig", kubeconfig, "-n", NAMESPACE, "scale",
                        f"deployment/{NAME}", f"--replicas={replicas}"], check=True,
                       stdout=subprocess.DEVNULL)
        took = time.perf_counter() - start
        figures.append((took, until_shown(console, replicas)))
    return figures


if __name__ == "__main__":
    main()
