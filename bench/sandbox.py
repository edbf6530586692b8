"""What the sandbox itself costs: growing a big world, the first alerts, idling.

    python -m bench.sandbox [--seconds 10]

Budgets: a world of 5,000 pods on 200 nodes is populated in under 8 s of CPU; the
first ``/api/v1/alerts`` of the default world, which catches the rules up on the
world's history (reconstructing their state rather than replaying each evaluation),
costs under 0.25 s of CPU, so the Alerts area never waits on it; an idle sandbox (its
own process, as the console starts it) takes under 10 % of one core. Replaying every
evaluation is printed beside the catch-up for comparison.

Growing and the catch-up are timed in this process (``time.process_time``, the
sandbox alone is running); idling is read from the child's ``/proc`` entry.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from console.sandbox import rules
from console.sandbox.metrics import MetricsEngine
from console.sandbox.process import spawn
from console.sandbox.promql import Engine
from console.sandbox.rules import RuleEvaluator
from console.sandbox.store import ObjectStore
from console.sandbox.world import World

RUNS = 3
GROW_BUDGET = 8.0
CATCH_UP_BUDGET = 0.25
IDLE_BUDGET_PERCENT = 10.0
SETTLE = 3.0
#: A replay limit no catch-up reaches: every evaluation is replayed.
REPLAY_ALL = 10**6


def cpu_of(work: Callable[[], object]) -> float:
    """Seconds of this process's CPU that ``work()`` took."""
    started = time.process_time()
    work()
    return time.process_time() - started


def grow() -> None:
    """Build and populate the benchmark-sized world."""
    World(ObjectStore(), pods=5000, nodes=200).populate()


def first_alerts(replay_limit: int) -> float:
    """CPU seconds of the default world's first alerts when the rules replay at
    most ``replay_limit`` evaluations (and reconstruct their state beyond)."""
    world = World(ObjectStore(), seed=7)
    world.populate()
    engine = Engine(MetricsEngine.attach(world))
    saved, rules.REPLAY_LIMIT = rules.REPLAY_LIMIT, replay_limit
    try:
        return cpu_of(RuleEvaluator(engine, world.now).alerts)
    finally:
        rules.REPLAY_LIMIT = saved


def cpu_seconds(pid: int) -> float:
    """User + system CPU that process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_percent(seconds: float) -> float:
    """The default sandbox's CPU over ``seconds`` once settled, in % of one core."""
    with spawn([], timeout=120) as sandbox:
        time.sleep(SETTLE)
        cpu0, started = cpu_seconds(sandbox.pid), time.perf_counter()
        time.sleep(seconds)
        cpu = cpu_seconds(sandbox.pid) - cpu0
        return cpu / (time.perf_counter() - started) * 100


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to idle")
    args = parser.parse_args(argv)
    grown = [cpu_of(grow) for _ in range(RUNS)]
    print(f"grow 5,000 pods on 200 nodes  median {statistics.median(grown):.2f} s of CPU "
          f"(min {min(grown):.2f}, max {max(grown):.2f}; {RUNS} runs)  "
          f"budget {GROW_BUDGET:.0f} s")
    first_alerts(rules.REPLAY_LIMIT)  # untimed: the first run pays for imports and caches
    caught_up = [first_alerts(rules.REPLAY_LIMIT) for _ in range(RUNS)]
    replayed = [first_alerts(REPLAY_ALL) for _ in range(RUNS)]
    print(f"first alerts (catch-up)  median {statistics.median(caught_up) * 1000:.1f} ms of CPU "
          f"(max {max(caught_up) * 1000:.1f}; {RUNS} runs; replaying every evaluation: "
          f"{statistics.median(replayed) * 1000:.1f} ms)  budget {CATCH_UP_BUDGET * 1000:.0f} ms")
    idle = idle_percent(args.seconds)
    print(f"idle sandbox (default world)  {idle:.2f} % of one core over {args.seconds:.0f} s  "
          f"budget < {IDLE_BUDGET_PERCENT:.0f} %")


if __name__ == "__main__":
    main()
