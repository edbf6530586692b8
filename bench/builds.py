"""Build output on screen: latency from a daemon event to the screen, and a flood.

    python -m bench.builds

Runs the console headless (``App.run_test``) over a scripted Docker adapter whose
build stream the benchmark feeds, so the timings are the console's alone. It
prints (1) the time from a ``BuildEvent`` arriving to its line being painted
(``render_line`` of the output view drawing it), over quiet lines and during a
flood, and (2) memory growth and key latency while 100,000 lines stream.

Budgets (issue 5): output on screen within 100 ms of arriving; a 100,000-line
build keeps memory bounded and the UI answering keys.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from console.app import Backends, build_app
from console.audit import AuditLog
from console.builds import BuildRequest
from console.config import AuditConfig, Config
from console.docker_actions import DockerOperation
from console.docker_ops import DockerOperations
from console.models import BuildEvent
from screens.build_list import BuildList
from screens.build_run import BuildRunScreen
from screens.widgets.text_lines import TextLines

FLOOD_LINES = 100_000
SAMPLES = 20
_painted: dict[str, float] = {}


class ScriptedDocker:
    """A ContainerAdapter whose only build streams what ``feed`` puts in."""

    endpoint = "bench://scripted"

    def __init__(self) -> None:
        self.queue: asyncio.Queue[BuildEvent] = asyncio.Queue()

    async def connect(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def images(self) -> list[Any]:
        return []

    async def containers(self, all: bool = True) -> list[Any]:
        return []

    async def build(self, context_dir: str, **_: Any) -> AsyncIterator[BuildEvent]:
        while True:
            event = await self.queue.get()
            yield event
            if event.done:
                return

    def feed(self, event: BuildEvent) -> float:
        """Hand ``event`` to the build stream; returns the time it arrived."""
        self.queue.put_nowait(event)
        return time.perf_counter()


def _record_paints() -> None:
    """Note the first time each ``mark-…`` line is painted by a ``TextLines``."""
    original = TextLines.render_line

    def render_line(self: TextLines, y: int) -> Any:
        strip = original(self, y)
        text = strip.text
        if text.startswith("mark-"):
            _painted.setdefault(text.strip(), time.perf_counter())
        return strip

    TextLines.render_line = render_line  # type: ignore[method-assign]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _latency(docker: ScriptedDocker, pilot: Any, label: str, flood: bool) -> list[float]:
    delays: list[float] = []
    for n in range(SAMPLES):
        if flood:
            for i in range(500):
                docker.feed(BuildEvent(output=f"noise {n}-{i}"))
        mark = f"mark-{label}-{n}"
        sent = docker.feed(BuildEvent(output=mark))
        deadline = sent + 2.0
        while mark not in _painted and time.perf_counter() < deadline:
            await asyncio.sleep(0.001)
        delays.append((_painted.get(mark, deadline) - sent) * 1000)
        await pilot.pause(0.15)
    return delays


async def _key_latency(app: Any, key: str) -> float:
    """Milliseconds from a key arriving to its effect: ``o`` focuses the output,
    ``shift+tab`` moves the focus away from it."""
    want_output = key == "o"
    pressed = time.perf_counter()
    app.simulate_key(key)
    while isinstance(app.focused, TextLines) != want_output:
        await asyncio.sleep(0.001)
        if time.perf_counter() - pressed > 5:
            break
    return (time.perf_counter() - pressed) * 1000


async def run() -> None:
    _record_paints()
    docker = ScriptedDocker()
    with tempfile.TemporaryDirectory() as tmp:
        # The build history lives in the user's data directory: keep the bench's
        # builds out of the real one.
        os.environ["XDG_DATA_HOME"] = tmp
        config = Config(audit=AuditConfig(path=Path(tmp) / "audit.jsonl"))
        backends = Backends(None, containers=docker)  # type: ignore[arg-type]
        app = build_app(config, backends, tune_gc=True)  # as the CLI runs it
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("5")
            while not app.screen.query(BuildList):
                await pilot.pause(0.05)
            builds = app.screen.query_one(BuildList)
            audit = AuditLog(Path(tmp) / "audit.jsonl")
            ops = DockerOperations(docker, audit, read_only=False)  # type: ignore[arg-type]
            request = BuildRequest(Path(tmp), tags=("bench/flood:1",))
            builds.start_build(ops, DockerOperation.build(request), request)
            while not isinstance(app.screen, BuildRunScreen):
                await pilot.pause(0.05)
            docker.feed(BuildEvent(step=1, total_steps=1, instruction="RUN ./generate"))
            await pilot.pause(0.3)
            progress = builds.progress
            assert progress is not None and not progress.done, progress and progress.error
            quiet = await _latency(docker, pilot, "quiet", flood=False)
            busy = await _latency(docker, pilot, "busy", flood=True)
            rss_before = _rss_mb()
            keys: list[float] = []
            started = time.perf_counter()
            for block in range(FLOOD_LINES // 1000):
                for i in range(1000):
                    docker.feed(BuildEvent(output=f"line {block * 1000 + i:06d} " + "x" * 60))
                if block % 5 == 0:
                    keys.append(await _key_latency(app, "o" if block % 10 == 0 else "shift+tab"))
                await asyncio.sleep(0)
            while progress.lines_received < FLOOD_LINES:
                await asyncio.sleep(0.05)
            flood_seconds = time.perf_counter() - started
            rss_after = _rss_mb()
            docker.feed(BuildEvent(image_id="sha256:" + "0" * 64, done=True))
            await pilot.pause(0.3)
    _report(quiet, busy, keys, flood_seconds, rss_before, rss_after)


def _report(quiet: list[float], busy: list[float], keys: list[float], flood: float,
            rss_before: float, rss_after: float) -> None:  # fmt: skip
    def line(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        return (f"{name:<34} median {statistics.median(values):6.1f} ms  p95 {p95:6.1f} ms  "
                f"max {max(values):6.1f} ms")  # fmt: skip

    print(line("event to screen (quiet)", quiet) + "  budget 100 ms")
    print(line("event to screen (500-line bursts)", busy) + "  budget 100 ms")
    print(line(f"key during {FLOOD_LINES:,}-line flood", keys))
    growth = rss_after - rss_before
    print(f"{FLOOD_LINES:,} lines streamed in {flood:.1f} s; RSS {rss_before:.0f} MB -> "
          f"{rss_after:.0f} MB (+{growth:.1f} MB; 2,000 lines kept per step)")  # fmt: skip


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
