"""Time to first frame, deployments visible, and the idle console's cost.

    python -m bench.startup

Budgets (issue 2): first frame <= 0.7 s; deployments visible on the default sandbox
<= 1.5 s; idle under 2 % of one core with nothing written to the terminal.
"""

from __future__ import annotations

import statistics
import time

from bench.terminal import PtyConsole

RUNS = 5
IDLE_SECONDS = 10.0


def one_run() -> tuple[float, float]:
    console = PtyConsole(["--sandbox"])
    try:
        first = console.wait_for("palette")  # the footer's "^p palette": the first frame
        visible = console.wait_for("mistral-7b-chat")
        return first, visible
    finally:
        console.close()


def idle() -> tuple[float, int]:
    console = PtyConsole(["--sandbox"])
    try:
        console.wait_for("mistral-7b-chat")
        settle = time.perf_counter() + 3.0
        while time.perf_counter() < settle:
            console.pump(0.1)
        cpu0, bytes0 = console.cpu_seconds(), console.bytes_read
        end = time.perf_counter() + IDLE_SECONDS
        while time.perf_counter() < end:
            console.pump(0.1)
        cpu = console.cpu_seconds() - cpu0
        return cpu / IDLE_SECONDS * 100, console.bytes_read - bytes0
    finally:
        console.close()


def main() -> None:
    firsts, visibles = zip(*(one_run() for _ in range(RUNS)), strict=True)
    print(f"first frame          median {statistics.median(firsts):.2f} s "
          f"(min {min(firsts):.2f}, max {max(firsts):.2f}; {RUNS} runs)  budget 0.70 s")
    print(f"deployments visible  median {statistics.median(visibles):.2f} s "
          f"(min {min(visibles):.2f}, max {max(visibles):.2f}; {RUNS} runs)  budget 1.50 s")
    cpu, written = idle()
    print(f"idle console         {cpu:.2f} % of one core, {written} bytes written "
          f"in {IDLE_SECONDS:.0f} s  budget < 2 %, 0 bytes")


if __name__ == "__main__":
    main()
