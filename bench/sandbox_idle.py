"""What an idle sandbox costs: the CPU of its process while nobody asks it anything.

    python -m bench.sandbox_idle [--pods N] [--seconds 10]

Budget: under 10 % of one core (0.1 s of CPU a second) for the default world. The
sandbox runs in its own process, as the console starts it; after it settles, its
user + system CPU time is read from ``/proc`` before and after ``--seconds``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from console.sandbox.process import spawn

BUDGET_PERCENT = 10.0
SETTLE = 3.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU that process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pods", type=int, default=None, help="grow the world to ~N pods")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to measure")
    args = parser.parse_args(argv)
    grow = ["--pods", str(args.pods)] if args.pods else []
    with spawn(grow, timeout=120) as sandbox:
        time.sleep(SETTLE)
        cpu0, started = cpu_seconds(sandbox.pid), time.perf_counter()
        time.sleep(args.seconds)
        cpu = cpu_seconds(sandbox.pid) - cpu0
        elapsed = time.perf_counter() - started
    world = f"{args.pods} pods" if args.pods else "the default world"
    print(f"idle sandbox ({world})  {cpu / elapsed * 100:.2f} % of one core "
          f"({cpu:.2f} s of CPU in {elapsed:.0f} s)  budget < {BUDGET_PERCENT:.0f} %")


if __name__ == "__main__":
    main()
