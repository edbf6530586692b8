"""How fast the logs view's buffer marks, filters and refilters lines.

    python -m bench.logbuffer

Each stage is timed over a batch of 10,000 lines (one full view), ``RUNS`` times:
marking error lines as they are read (``LogLine.of``), taking a batch in with a
filter on, and refiltering a full buffer when the pattern changes. Each prints its
throughput and the share of one core it would take at the 5,000 lines/s one view
must sustain. Budgets: refiltering a full buffer (what a new filter does) within
a key's 0.1 s; a 10,000-line batch taken in and refiltered within 0.2 s.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from console.logbuffer import MAX_LINES, LogBuffer, LogLine

RUNS = 9
VIEW_LINES_PER_SECOND = 5_000
#: Seconds to take in and refilter a full view's batch.
BATCH_BUDGET = 0.2
#: Seconds a key may take: changing the filter refilters the whole buffer.
KEY_BUDGET = 0.1
TEXTS = [f"request {i} served in 3 ms" if i % 50 else f"request {i} failed: timeout"
         for i in range(MAX_LINES)]  # fmt: skip
LINES = [LogLine.of(f"web-{i % 5}", text) for i, text in enumerate(TEXTS)]


def seconds(
    stage: Callable[[], object], prepare: Callable[[], object] = lambda: None
) -> list[float]:
    """``RUNS`` timings of ``stage()``, each after an untimed ``prepare()``."""
    times = []
    for _ in range(RUNS):
        prepare()
        start = time.perf_counter()
        stage()
        times.append(time.perf_counter() - start)
    return times


def mark() -> None:
    """Read every line of a batch as the stream does, marking the errors."""
    for i, text in enumerate(TEXTS):
        LogLine.of(f"web-{i % 5}", text)


def report_rate(what: str, times: list[float]) -> None:
    rates = [MAX_LINES / t for t in times]
    share = VIEW_LINES_PER_SECOND / statistics.median(rates) * 100
    print(f"{what:<30} median {statistics.median(rates):,.0f} lines/s "
          f"(min {min(rates):,.0f}, max {max(rates):,.0f}; {RUNS} runs)  "
          f"{share:.1f} % of a core at {VIEW_LINES_PER_SECOND:,} lines/s")


def report_seconds(what: str, times: list[float], budget: float) -> None:
    print(f"{what:<30} median {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}; {RUNS} runs)  budget {budget:.3f} s")


def main() -> None:
    buffer = LogBuffer()

    def filtered_and_empty() -> None:
        buffer.clear()
        buffer.set_filter("error|timeout")

    def full_and_unfiltered() -> None:
        buffer.clear()
        buffer.set_filter("")
        buffer.extend(LINES)

    def take_in_and_refilter() -> None:
        buffer.extend(LINES)
        buffer.set_filter("served")

    report_rate("mark errors (LogLine.of)", seconds(mark))
    report_rate("extend, filter on", seconds(lambda: buffer.extend(LINES), filtered_and_empty))
    report_seconds("refilter 10,000 lines (a key)",
                   seconds(lambda: buffer.set_filter("served"), full_and_unfiltered), KEY_BUDGET)
    report_seconds("extend + refilter 10,000", seconds(take_in_and_refilter, filtered_and_empty),
                   BATCH_BUDGET)


if __name__ == "__main__":
    main()
