"""One build, live: its steps with number and elapsed time, the selected step's
output, and a progress line; a failed build jumps to the failing step and shows
the daemon's error.

The screen only draws a ``BuildProgress`` that the Builds list folds events into;
the list calls ``show_progress`` at most about ten times a second. Cancelling and
pushing are the list's to do, through the callbacks it passes in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from console.build_progress import BuildProgress, StepProgress
from screens.widgets.columns import Column, Tone
from screens.widgets.header import ConsoleHeader
from screens.widgets.resource_table import ResourceTable
from screens.widgets.steady_footer import SteadyFooter
from screens.widgets.text_lines import TextLines

__all__ = ["BuildRunScreen"]

#: Seconds between refreshes of the running times.
TICK_SECONDS = 0.5


class BuildRunScreen(Screen[None]):
    """The live view of one build."""

    CSS_PATH = "build_run.tcss"
    AUTO_FOCUS = "#steps"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="build-run.back"),
        Binding("x", "cancel_build", "Cancel build", id="build-run.cancel"),
        Binding("o", "focus_output", "Output", id="build-run.output"),
        Binding("p", "push", "Push", id="build-run.push"),
    ]

    def __init__(
        self,
        progress: BuildProgress,
        title: str,
        *,
        clock: Callable[[], float],
        on_cancel: Callable[[], None],
        on_push: Callable[[], None],
    ) -> None:
        super().__init__()
        self.progress = progress
        self.build_title = title
        self._clock = clock
        self._on_cancel = on_cancel
        self._on_push = on_push
        self._pinned: str | None = None
        self._shown_steps = -1
        #: The footer composed on mounting already shows the actions allowed now.
        self._shown_done = progress.done
        self._shown_error: str | None = None
        self._shown_title = ""
        #: Steps already handed to the table (the last of them may still change).
        self._upserted = 0

    @property
    def steps(self) -> ResourceTable[StepProgress]:
        return self.query_one("#steps", ResourceTable)

    @property
    def output(self) -> TextLines:
        return self.query_one("#output", TextLines)

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        yield Static(self.build_title, id="title", markup=False)
        yield Static("", id="status", markup=False)
        yield ResourceTable(self._columns(), sort_key=lambda s: s.number, id="steps",
                            repaint_interval=0.1)  # fmt: skip
        yield Static("", id="error", markup=False)
        yield TextLines(id="output")
        yield SteadyFooter()

    def on_mount(self) -> None:
        # Not ``show_progress()`` now: ``is_mounted`` turns true only once this handler
        # has returned, so a view opened on a build whose events have all arrived (a
        # finished build, a long quiet step) would stay blank until the next event.
        self.call_after_refresh(self.show_progress)
        self.set_interval(TICK_SECONDS, self._tick, name="build-clock")

    def _columns(self) -> list[Column[StepProgress]]:
        progress, now = self.progress, self._clock
        return [
            Column("step", "STEP", lambda s: progress.step_label(s), 20, flex=1),
            Column("time", "TIME", lambda s: f"{s.elapsed(now()):.1f} s", 8, align="right"),
            Column("state", "STATE", self._state, 9, tone=self._tone),
        ]

    def _state(self, step: StepProgress) -> str:
        if step is self.progress.failed_step:
            return "failed"
        if step.finished is None:
            return "running"
        return "cached" if step.cached else "done"

    def _tone(self, step: StepProgress) -> Tone | None:
        return {"failed": "error", "running": "warning", "cached": "muted"}.get(self._state(step))  # type: ignore[return-value]

    # ------------------------------------------------------------------ drawing

    def show_progress(self) -> None:
        """Redraw from the progress: new and changed steps, the status line, the
        selected step's output, and, once failed, the failing step and the error."""
        if not self.is_mounted:
            return
        progress = self.progress
        self.query_one("#status", Static).update(progress.status_line(self._clock()), layout=False)
        if progress.steps_version != self._shown_steps:
            self._shown_steps = progress.steps_version
            start = max(0, self._upserted - 1)
            self.steps.apply(_Upsert({str(s.number): s for s in progress.steps[start:]}))
            self._upserted = len(progress.steps)
        self.set_class(progress.done, "-done")
        self.set_class(bool(progress.error), "-failed")
        if progress.error != self._shown_error:
            self._shown_error = progress.error
            self.query_one("#error", Static).update(
                f"Daemon error: {progress.error}" if progress.error else ""
            )
        if progress.done != self._shown_done:
            self._shown_done = progress.done
            self.refresh_bindings()
        failed = progress.failed_step
        if failed is not None:
            self._pinned = None
            self._follow(str(failed.number))
        elif self._pinned is None and progress.current is not None:
            self._follow(str(progress.current.number))
        self._show_output()

    def _follow(self, key: str) -> None:
        if key in self.steps.row_keys and self.steps.cursor_key != key:
            self.steps.move_cursor(key)

    def _show_output(self) -> None:
        step = self._selected()
        if step is not None:
            self.output.show(step.lines, dropped=step.dropped)
            title = self._output_title(step)
            if title != self._shown_title:
                self._shown_title = title
                self.output.border_title = Content(title)  # plain text, never markup

    def _output_title(self, step: StepProgress) -> str:
        dropped = f" · {step.dropped:,} earlier lines dropped" if step.dropped else ""
        return f"output of {self.progress.step_label(step)}{dropped}"

    def _selected(self) -> StepProgress | None:
        key = self.steps.cursor_key
        steps = {str(s.number): s for s in self.progress.steps}
        if key is None:
            return self.progress.current
        return steps.get(key)

    def _tick(self) -> None:
        if self.is_current and not self.progress.done:
            status = self.query_one("#status", Static)
            status.update(self.progress.status_line(self._clock()), layout=False)
            self.steps.refresh_cells()

    def on_resource_table_row_highlighted(self, event: ResourceTable.RowHighlighted) -> None:
        current = self.progress.current
        last = str(current.number) if current is not None else None
        self._pinned = None if event.key == last else event.key
        self._show_output()

    def on_resource_table_rows_changed(self) -> None:
        if self.steps.cursor_key is None and self.progress.current is not None:
            self._follow(str(self.progress.current.number))
        self._show_output()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Cancel only while running; push only once built."""
        if action == "cancel_build":
            return not self.progress.done
        if action == "push":
            return self.progress.result == "succeeded"
        return True

    def action_cancel_build(self) -> None:
        """Stop the build (the daemon drops it when the connection closes)."""
        self._on_cancel()

    def action_push(self) -> None:
        """Push the image just built."""
        self._on_push()

    def action_focus_output(self) -> None:
        """Move the focus to the output, to scroll it."""
        self.output.focus()


class _Upsert:
    """A ``Changes`` of rows added or changed, nothing deleted."""

    def __init__(self, rows: dict[str, StepProgress]) -> None:
        self.upserted = rows
        self.deleted: frozenset[str] = frozenset()
        self.reset = False
