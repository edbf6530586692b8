"""The logs view under a firehose: 5,000 lines a second into one view.

    python -m bench.logs [--rate 5000] [--seconds 10]

Budgets: the view takes in 5,000 lines/s; keys answer within 100 ms (from the key
to the first frame painted after its effect) while the lines stream; the view
holds at most 10,000 lines, however long it streams.

The console runs headless (``App.run_test``) on the real Kubernetes adapter over a
sandbox in its own process. The sandbox writes logs at a believable pace, so the
log stream alone comes from a firehose in a second child process (``python -m
bench.logs --serve``): a minimal API server (``/version`` and pods' ``log``) that
writes, every 10 ms, every numbered line due by then, read by a second adapter.
Once the view is full (10,000 lines), ``w`` (wrap) and ``space`` (pause, resume)
are pressed in turn for ``--seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.base import Kind, LogOptions
from adapters.kubernetes import KubernetesAdapter
from console.app import Backends, OpsConsoleApp, build_app
from console.config import Config
from console.logbuffer import MAX_LINES
from console.models import Pod
from console.sandbox import kubeconfig
from console.sandbox.process import spawn
from screens.logs import LogsScreen

KEY_BUDGET = 0.100
RATE_BUDGET = 5_000
KEY_GAP = 0.25
PATIENCE = 30.0
#: What follows each line's number.
LINE = "GET /v1/completions 200 in 41 ms"


# ---------------------------------------------------------------- the firehose (child)


async def serve(rate: int) -> None:
    """Serve ``/version`` and a pod ``log`` stream of ``rate`` numbered lines/s on a
    free loopback port; print the port; stop when standard input closes."""

    async def version(request: web.Request) -> web.Response:
        return web.json_response({"major": "1", "minor": "30", "gitVersion": "v1.30.0"})

    async def log(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        sent, start = 0, time.monotonic()
        with contextlib.suppress(ConnectionResetError):  # the reader went away
            while True:
                due = int((time.monotonic() - start) * rate)
                if due > sent:
                    lines = "".join(f"{n} {LINE}\n" for n in range(sent + 1, due + 1))
                    await response.write(lines.encode())
                    sent = due
                await asyncio.sleep(0.01)
        return response

    app = web.Application()
    app.router.add_get("/version", version)
    app.router.add_get("/api/v1/namespaces/{namespace}/pods/{pod}/log", log)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(runner.addresses[0][1], flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await runner.cleanup()


class FirehoseLogs(KubernetesAdapter):
    """The sandbox's adapter, with every log stream read from the firehose by
    ``logs_from`` (a second adapter, connected and closed with this one)."""

    def __init__(self, logs_from: KubernetesAdapter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.logs_from = logs_from

    async def connect(self) -> None:
        await self.logs_from.connect()
        await super().connect()

    async def close(self) -> None:
        await self.logs_from.close()
        await super().close()

    def logs(self, namespace: str, pod: str, options: LogOptions) -> AsyncIterator[str]:
        return self.logs_from.logs(namespace, pod, options)


# ---------------------------------------------------------------- the console (parent)


async def until(condition: Callable[[], bool], what: str) -> float:
    """Poll ``condition()`` every 2 ms; returns the ``perf_counter`` when it held.
    Raises ``TimeoutError`` naming ``what``."""
    deadline = time.perf_counter() + PATIENCE
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{what} not seen after {PATIENCE:.0f} s")
        await asyncio.sleep(0.002)
    return time.perf_counter()


def count_frames(app: OpsConsoleApp) -> list[float]:
    """The ``perf_counter`` of every frame the app paints from now on (headless, a
    frame is rendered and then not written)."""
    frames: list[float] = []
    display = app._display

    def counted(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None:
            frames.append(time.perf_counter())

    app._display = counted  # type: ignore[method-assign]
    return frames


def resident_megabytes() -> float:
    """This process's resident set size in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


@dataclass
class Figures:
    """What one run measured."""

    #: Per key, the seconds from each press to its effect and to the next frame.
    keys: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    rate: float = 0.0
    most_lines: int = 0
    most_waiting: int = 0
    lost: int = 0
    in_order: bool = False
    growth_mb: float = 0.0


async def press(app: OpsConsoleApp, key: str, state: Callable[[], object],
                frames: list[float], figures: Figures) -> None:  # fmt: skip
    """Press ``key``; record the seconds until ``state()`` changes and until the
    next frame after that."""
    before = state()
    started = time.perf_counter()
    app.simulate_key(key)
    effect = await until(lambda: state() != before, f"the effect of {key!r}")
    painted = await until(lambda: bool(frames) and frames[-1] > effect, f"a frame after {key!r}")
    figures.keys.setdefault(key, []).append((effect - started, painted - started))


async def run(sandbox_config: str, firehose_config: str, seconds: float) -> Figures:
    """Follow one sandbox pod whose log is the firehose's, fill the view, then press
    keys for ``seconds``; returns what was measured."""
    adapter = FirehoseLogs(KubernetesAdapter(kubeconfig=firehose_config, context="sandbox"),
                           kubeconfig=sandbox_config, context="sandbox")  # fmt: skip
    app = build_app(Config(), Backends(adapter), tune_gc=True)  # as the CLI runs it
    figures = Figures()
    async with app.run_test(size=(120, 40)):
        deployments = app.cluster_store(Kind.DEPLOYMENT)
        assert deployments is not None
        await deployments.wait_synced(timeout=PATIENCE)
        pod = next(p for p in (await adapter.list(Kind.POD, "serving")).items
                   if isinstance(p, Pod))  # fmt: skip
        screen = LogsScreen(pod.namespace, [pod])
        await app.push_screen(screen)
        buffer, view = screen.buffer, screen.view
        frames = count_frames(app)
        await until(lambda: buffer.dropped > 0, "a full view")

        def arrived() -> int:
            return len(buffer.lines) + buffer.dropped + buffer.waiting

        started, count0, rss0 = time.perf_counter(), arrived(), resident_megabytes()
        end = started + seconds
        while time.perf_counter() < end or buffer.paused:
            figures.most_lines = max(figures.most_lines, len(buffer.lines))
            figures.most_waiting = max(figures.most_waiting, buffer.waiting)
            await press(app, "w", lambda: view.wrap, frames, figures)
            await press(app, "space", lambda: buffer.paused, frames, figures)
            await asyncio.sleep(KEY_GAP)
        figures.rate = (arrived() - count0) / (time.perf_counter() - started)
        figures.growth_mb = resident_megabytes() - rss0
        numbers = [int(line.text.split()[0]) for line in buffer.lines]
        figures.in_order = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        figures.lost = numbers[-1] - (len(buffer.lines) + buffer.dropped)
        await app.action_quit()
    return figures


def report(figures: Figures, rate: int, seconds: float) -> None:
    """Print each figure next to its budget."""
    for key, pairs in figures.keys.items():
        for i, to in enumerate(("effect", "frame")):
            ms = [pair[i] * 1000 for pair in pairs]
            print(f"{f'{key} to {to}':<16} median {statistics.median(ms):.1f} ms "
                  f"(min {min(ms):.1f}, max {max(ms):.1f}; {len(ms)} presses)  "
                  f"budget {KEY_BUDGET * 1000:.0f} ms")
    print(f"{'lines taken in':<16} {figures.rate:,.0f} lines/s over {seconds:.0f} s "
          f"(offered {rate:,})  budget {RATE_BUDGET:,} lines/s")
    print(f"{'lines held':<16} at most {figures.most_lines:,} in the view + "
          f"{figures.most_waiting:,} waiting while paused (resident memory "
          f"{figures.growth_mb:+.1f} MB over the run)  budget {MAX_LINES:,}")
    order = "in order" if figures.in_order else "OUT OF ORDER"
    print(f"{'lines lost':<16} {figures.lost:,} (those kept {order})  budget 0")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=5000, help="lines a second offered")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to measure")
    parser.add_argument("--serve", action="store_true", help="be the firehose (the child)")
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.rate))
        return
    command = [sys.executable, "-m", "bench.logs", "--serve", "--rate", str(args.rate)]
    root = Path(__file__).resolve().parents[1]
    with (spawn([], timeout=120) as sandbox,
          tempfile.TemporaryDirectory(prefix="bench-logs-") as tmp,
          subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                           cwd=root) as firehose):  # fmt: skip
        assert firehose.stdin is not None and firehose.stdout is not None
        port = int(firehose.stdout.readline())
        firehose_config = str(kubeconfig.write(kubeconfig.build(f"http://127.0.0.1:{port}"),
                                               Path(tmp) / "kubeconfig"))  # fmt: skip
        figures = asyncio.run(run(sandbox.kubeconfig, firehose_config, args.seconds))
        firehose.stdin.close()
    report(figures, args.rate, args.seconds)


if __name__ == "__main__":
    main()
