"""A running build's progress, folded from the adapter's ``BuildEvent`` stream.

``BuildProgress.apply`` turns each event into steps (number, instruction, when
it started, how long it took) and the output of each step. Output is bounded:
each step keeps its newest ``max_lines`` lines (each cut to ``max_line_length``
characters) and counts what it dropped, so a 100,000-line build costs the same
memory as a 2,000-line one. Nothing here knows about Textual; times are
``time.monotonic()`` seconds given by the caller.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from console.build_history import BuildResult
from console.models import BuildEvent

__all__ = ["BuildProgress", "StepProgress"]

#: Lines of output kept per step.
MAX_LINES = 2_000
#: Characters kept of one output line.
MAX_LINE_LENGTH = 2_000
_CACHED = "---> Using cache"


@dataclass(slots=True)
class StepProgress:
    """One step of the build. Number 0 holds output sent before the first step."""

    number: int
    instruction: str
    started: float
    max_lines: int = MAX_LINES
    finished: float | None = None
    lines: deque[str] = field(default_factory=deque)
    #: Lines that fell off the front of ``lines``.
    dropped: int = 0
    #: The builder reused a cached layer for this step.
    cached: bool = False

    def __post_init__(self) -> None:
        self.lines = deque(self.lines, maxlen=self.max_lines)

    def add(self, line: str) -> None:
        """Keep ``line``, dropping the oldest one when the step is full."""
        if len(self.lines) == self.max_lines:
            self.dropped += 1
        self.lines.append(line)
        if _CACHED in line:
            self.cached = True

    def elapsed(self, now: float) -> float:
        """Seconds the step ran (so far, if it has not finished)."""
        return (self.finished if self.finished is not None else now) - self.started


class BuildProgress:
    """Everything the build view shows about one build, updated event by event."""

    def __init__(
        self,
        started: float,
        *,
        max_lines: int = MAX_LINES,
        max_line_length: int = MAX_LINE_LENGTH,
    ) -> None:
        self.started = started
        self.max_lines = max_lines
        self.max_line_length = max_line_length
        self.steps: list[StepProgress] = []
        self.total_steps: int | None = None
        self.image_id = ""
        self.error = ""
        self.done = False
        self.cancelled = False
        self.finished: float | None = None
        #: Output lines received (kept or dropped).
        self.lines_received = 0
        #: Increases when a step starts, ends or turns out cached (its row changes),
        #: so a view can tell whether to redraw the steps.
        self.steps_version = 0

    # ------------------------------------------------------------------ folding

    def apply(self, event: BuildEvent, now: float) -> None:
        """Fold one event in: a step header starts a step (ending the previous one),
        output joins the current step, ``image_id``/``error``/``done`` end the build.
        Events after the end are ignored."""
        if self.done:
            return
        if event.step is not None:
            self._start_step(event, now)
        if event.output:
            self._add_output(event.output, now)
        if event.image_id:
            self.image_id = event.image_id
        if event.error:
            self.error = event.error
        if event.done:
            self._finish(now)

    def apply_all(self, events: Iterable[BuildEvent], now: float) -> None:
        """Fold ``events`` in, in order, all at time ``now`` (see ``apply``)."""
        for event in events:
            self.apply(event, now)

    def cancel(self, now: float) -> None:
        """Mark the build as stopped by the operator (no-op once it has ended)."""
        if self.done:
            return
        self.cancelled = True
        self.error = self.error or "cancelled by the operator"
        self._finish(now)

    def _start_step(self, event: BuildEvent, now: float) -> None:
        self.steps_version += 1
        if self.steps and self.steps[-1].finished is None:
            self.steps[-1].finished = now
        if event.total_steps is not None:
            self.total_steps = event.total_steps
        number = event.step if event.step is not None else len(self.steps) + 1
        self.steps.append(StepProgress(number, event.instruction, now, self.max_lines))

    def _add_output(self, text: str, now: float) -> None:
        if not self.steps:
            self.steps_version += 1
            self.steps.append(StepProgress(0, "preparing", self.started, self.max_lines))
        step = self.steps[-1]
        cached = step.cached
        for line in text.splitlines() or [""]:
            self.lines_received += 1
            step.add(line[: self.max_line_length])
        if step.cached != cached:
            self.steps_version += 1

    def _finish(self, now: float) -> None:
        self.steps_version += 1
        self.done = True
        self.finished = now
        if self.steps and self.steps[-1].finished is None:
            self.steps[-1].finished = now

    # ------------------------------------------------------------------ reading

    @property
    def current(self) -> StepProgress | None:
        """The step running now (or the last one, once the build ended)."""
        return self.steps[-1] if self.steps else None

    @property
    def failed_step(self) -> StepProgress | None:
        """The step the build failed in, or None when it did not fail there."""
        if self.result != "failed" or not self.steps or self.steps[-1].number == 0:
            return None
        return self.steps[-1]

    @property
    def result(self) -> BuildResult | None:
        """How the build ended, or None while it runs."""
        if not self.done:
            return None
        if self.cancelled:
            return "cancelled"
        return "failed" if self.error or not self.image_id else "succeeded"

    @property
    def dropped(self) -> int:
        """Output lines dropped across all steps to bound memory."""
        return sum(step.dropped for step in self.steps)

    def elapsed(self, now: float) -> float:
        """Seconds since the build started (until it ended, once it has)."""
        return (self.finished if self.finished is not None else now) - self.started

    def step_label(self, step: StepProgress) -> str:
        """``3/5 RUN make`` (``0 preparing`` for the output before the first step)."""
        if step.number == 0:
            return "preparing"
        total = f"/{self.total_steps}" if self.total_steps else ""
        return f"{step.number}{total} {step.instruction}"

    def status_line(self, now: float) -> str:
        """One line saying where the build is: the running step and the times, or
        how it ended."""
        elapsed = f"{self.elapsed(now):.1f} s"
        failed = self.failed_step
        match self.result:
            case None:
                current = self.current
                if current is None:
                    return f"sending the context to the daemon… {elapsed}"
                step = f"{current.elapsed(now):.1f} s"
                return f"step {self.step_label(current)} · {step} (total {elapsed})"
            case "succeeded":
                return f"built {self.image_id.removeprefix('sha256:')[:12]} in {elapsed}"
            case "cancelled":
                where = f" during step {self.step_label(self.current)}" if self.current else ""
                return f"cancelled{where} after {elapsed}"
            case _:
                where = f" at step {self.step_label(failed)}" if failed else ""
                return f"failed{where} after {elapsed}"
