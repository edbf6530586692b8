"""The sandbox's PromQL range queries: CPU of each Metrics overview panel's query.

    python -m bench.promql

The six queries the Metrics screen opens with, over the default world, each
evaluated as a chart 55 cells wide asks for it (two points per cell) over the
preset ranges, in this process (``time.process_time``). Their total over 1h is
part of opening the Metrics screen (issue 4: 6 panels with data <= 1 s; see
``bench.bench_metrics``), as the sandbox answers the six queries one after the other.
"""

from __future__ import annotations

import time

from console.panels import OVERVIEW_PANELS
from console.sandbox.metrics import MetricsEngine
from console.sandbox.promql import Engine
from console.sandbox.store import ObjectStore
from console.sandbox.world import World
from console.timerange import PRESETS, format_range, window

RUNS = 5
CHART_WIDTH = 55


def cpu_ms(engine: Engine, query: str, start: float, end: float, step: float) -> float:
    """The least CPU milliseconds of ``RUNS`` evaluations of the range query."""
    costs = []
    for _ in range(RUNS):
        started = time.process_time()
        engine.range(query, start, end, step)
        costs.append((time.process_time() - started) * 1000)
    return min(costs)


def main() -> None:
    world = World(ObjectStore(), seed=7)
    world.populate()
    engine = Engine(MetricsEngine.attach(world))
    now = world.now()
    width = max(len(p.title) for p in OVERVIEW_PANELS)
    for seconds in PRESETS:
        w = window(seconds, now, CHART_WIDTH)
        costs = [cpu_ms(engine, p.query, w.start, w.end, w.step) for p in OVERVIEW_PANELS]
        print(f"range {format_range(seconds)} at step {w.step:.0f} s ({w.points} points): "
              f"six queries {sum(costs):.1f} ms CPU (least of {RUNS})")
        for panel, cost in zip(OVERVIEW_PANELS, costs, strict=True):
            print(f"  {panel.title:{width}}  {cost:6.1f} ms")


if __name__ == "__main__":
    main()
