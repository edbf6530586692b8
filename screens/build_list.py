"""The Builds tab: the build history, the running build's progress line, and the
worker that runs a build.

The build runs in a worker owned by this widget (it survives leaving the live
view). It reads the event stream in batches (every event that has arrived, up to
``BATCH_EVENTS``), folds each batch into a ``BuildProgress`` and asks for one
repaint; repaints come at most ``1 / REPAINT_INTERVAL`` times a second
(``Throttle``), the first after a quiet spell at once. When the build ends it is
audited and added to the history file, which survives restarts.
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import aclosing
from datetime import datetime
from time import monotonic
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker

from adapters.base import AdapterError
from console.audit import AuditError, AuditRecord
from console.build_history import BuildHistory, BuildRecord
from console.build_progress import BuildProgress
from console.builds import BuildForm, BuildRequest
from console.docker_actions import DockerAction, DockerOperation
from console.docker_ops import DockerOperations
from console.humanize import age
from console.models import BuildEvent
from console.operations import OperationError
from console.stream_batches import batches
from console.throttle import Throttle
from console.validation import ValidationError
from screens.build_form import BuildFormScreen
from screens.build_run import BuildRunScreen
from screens.docker_flow import confirm_docker, refuse_disabled_docker_key, report_refusal
from screens.operation_flow import read_only_disables
from screens.push import PushScreen
from screens.widgets.columns import Column, Tone
from screens.widgets.resource_table import ResourceTable

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = ["BuildList"]

#: Most events folded between two passes of the event loop, so keys stay answered
#: in a flood (a batch folds in a few milliseconds).
BATCH_EVENTS = 1_000
#: Seconds between two repaints of a running build (the first after a quiet spell
#: is immediate, so output reaches the screen within this interval).
REPAINT_INTERVAL = 0.05
_TONES: dict[str, Tone] = {"failed": "error", "cancelled": "warning", "succeeded": "ok"}


class BuildList(Vertical):
    """The build history and the running build."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_build", "New build", id="builds.new"),
        Binding("l", "watch_build", "Live view", id="builds.live"),
        Binding("x", "cancel_build", "Cancel build", id="builds.cancel"),
        Binding("p", "push", "Push", id="builds.push"),
    ]
    #: The keys that change the daemon or a registry, disabled in read-only mode.
    MUTATING: ClassVar[dict[str, DockerAction]] = {
        "new_build": DockerAction.BUILD, "push": DockerAction.PUSH,
    }

    class Progressed(Message, bubble=False):
        """The running build changed; time to repaint (coalesced). It stays here:
        bubbling would wake the Builds screen, which, under the live view, repaints
        itself whole each time it handles a message."""

    def __init__(self, history: BuildHistory, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history = history
        self.progress: BuildProgress | None = None
        self._title = ""
        self._run_screen: BuildRunScreen | None = None
        self._throttle = Throttle(REPAINT_INTERVAL)
        #: Whether the footer shows the actions of a running build.
        self._shown_running = False
        self._worker: Worker[None] | None = None
        self._last_form: BuildRequest | None = None

    @property
    def console(self) -> OpsConsoleApp:
        return cast("OpsConsoleApp", self.app)

    @property
    def table(self) -> ResourceTable[BuildRecord]:
        return self.query_one("#history", ResourceTable)

    def compose(self) -> ComposeResult:
        yield Static("", id="running", markup=False)
        yield ResourceTable(self._columns(), sort_key=lambda r: -r.started.timestamp(),
                            id="history")  # fmt: skip
        yield Static("No builds yet: press n to start one.", id="detail", markup=False)

    def _columns(self) -> list[Column[BuildRecord]]:
        now = self.console.clock
        return [
            Column("started", "STARTED", lambda r: age(r.started, now()), 7, align="right"),
            Column("tags", "TAGS", lambda r: ", ".join(r.tags) or "(untagged)", 18, flex=2,
                   cut="middle"),
            Column("result", "RESULT", lambda r: r.result, 9, tone=lambda r: _TONES.get(r.result)),
            Column("duration", "TIME", lambda r: f"{r.duration:.1f} s", 8, align="right"),
            Column("step", "FAILED STEP", lambda r: r.failed_step, 12, flex=1),
        ]

    def on_mount(self) -> None:
        self.run_worker(self._load_history, thread=True, group="history", exclusive=True,
                        exit_on_error=False)  # fmt: skip

    def _load_history(self) -> None:
        try:
            records = self.history.load()
        except OSError as exc:
            self.app.call_from_thread(self.app.notify, f"{self.history.path}: {exc.strerror}",
                                      title="Build history unreadable", severity="error",
                                      markup=False)  # fmt: skip
            return
        self.app.call_from_thread(self.table.replace_all, {r.key: r for r in records})

    def on_resource_table_row_highlighted(self, event: ResourceTable.RowHighlighted) -> None:
        record = self.table.row(event.key) if event.key else None
        if record is not None:
            self.query_one("#detail", Static).update(_describe(record))

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        running = self.progress is not None and not self.progress.done
        if action in self.MUTATING and self.console.docker_health.state != "ok":
            return None
        if not read_only_disables(self, action, self.MUTATING):
            return None
        if action == "cancel_build":
            return running
        if action == "watch_build":
            return self.progress is not None
        if action == "new_build":
            return not running
        if action == "push":
            record = self.table.row(self.table.cursor_key) if self.table.cursor_key else None
            return record is not None and record.result == "succeeded" and bool(record.tags)
        return True

    def on_key(self, event: events.Key) -> None:
        refuse_disabled_docker_key(self, event, self.MUTATING)

    def action_new_build(self) -> None:
        """Ask for a build, confirm it, and start it."""
        self.run_worker(self._ask_and_build(), group="build-form", exclusive=True,
                        exit_on_error=False)  # fmt: skip

    def action_watch_build(self) -> None:
        """Open the live view of the running (or last) build."""
        if self.progress is not None:
            self._open_run_screen()

    def action_cancel_build(self) -> None:
        """Stop the running build."""
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()

    def action_push(self) -> None:
        """Push the selected build's first tag."""
        record = self.table.row(self.table.cursor_key) if self.table.cursor_key else None
        if record is not None and record.tags:
            self.app.push_screen(PushScreen(record.tags[0]))

    # ------------------------------------------------------------------ building

    async def _ask_and_build(self) -> None:
        initial = None
        if self._last_form is not None:
            last = self._last_form
            initial = BuildForm(str(last.context_dir), last.dockerfile, ", ".join(last.tags))
        request = await self.app.push_screen_wait(BuildFormScreen(initial))
        if request is None:
            return
        self._last_form = request
        op = DockerOperation.build(request)
        ops = await confirm_docker(self.screen, op)
        if ops is not None:
            self.start_build(ops, op, request)

    def start_build(
        self, ops: DockerOperations, op: DockerOperation, request: BuildRequest
    ) -> None:
        """Run ``request`` (already confirmed) and open its live view."""
        self.progress = BuildProgress(monotonic())
        self._title = f"Build {', '.join(request.tags) or '(untagged)'} from {request.context_dir}"
        self._worker = self.run_worker(self._build(ops, op, request), group="build",
                                       exclusive=True, exit_on_error=False)  # fmt: skip
        self._open_run_screen()  # this screen's line and footer follow when it comes back

    async def _build(
        self, ops: DockerOperations, op: DockerOperation, request: BuildRequest
    ) -> None:
        progress = self.progress
        assert progress is not None
        started = self.console.clock()
        try:
            intent = await ops.begin(op)
        except (OperationError, ValidationError) as exc:
            progress.apply(BuildEvent(error=exc.message, done=True), monotonic())
            report_refusal(self.screen, exc)
            self._repaint_soon()
            return
        adapter = ops.adapter
        try:
            events = adapter.build(
                str(request.context_dir), dockerfile=request.dockerfile, tags=request.tags,
                build_args=request.build_args, target=request.target, no_cache=request.no_cache,
            )  # fmt: skip
            async with aclosing(batches(events, max_items=BATCH_EVENTS)) as stream:
                async for batch in stream:
                    progress.apply_all(batch, monotonic())
                    self._repaint_soon()
            if not progress.done:
                progress.apply(
                    BuildEvent(error="the build stream ended early", done=True), monotonic()
                )
        except AdapterError as exc:
            progress.apply(BuildEvent(error=f"{exc.title}: {exc.detail}", done=True), monotonic())
        except asyncio.CancelledError:
            progress.cancel(monotonic())
            await self._finished(ops, intent, request, started)
            raise
        await self._finished(ops, intent, request, started)

    async def _finished(
        self, ops: DockerOperations, intent: AuditRecord, request: BuildRequest, started: datetime
    ) -> None:
        """Audit the outcome, add the build to the history, and repaint."""
        progress = self.progress
        assert progress is not None and progress.result is not None
        failed = progress.failed_step
        record = BuildRecord(
            id=uuid.uuid4().hex[:12], tags=request.tags, context=str(request.context_dir),
            dockerfile=request.dockerfile, started=started, duration=progress.elapsed(monotonic()),
            result=progress.result, failed_step=progress.step_label(failed) if failed else "",
            error=progress.error, image_id=progress.image_id,
        )  # fmt: skip
        ok = progress.result == "succeeded"
        error = (
            None if ok else AuditError(title=progress.result.capitalize(), detail=progress.error)
        )
        problem = await ops.finish(intent, "ok" if ok else "error", error)
        if problem:
            self.app.notify(problem, title="Audit log", severity="error", markup=False)
        try:
            await asyncio.to_thread(self.history.append, record)
        except OSError as exc:
            self.app.notify(f"{self.history.path}: {exc.strerror}", title="Build history",
                            severity="error", markup=False)  # fmt: skip
        self.table.apply(_Added(record))
        self.table.move_cursor(record.key)
        self.post_message(self.Progressed())

    def _repaint_soon(self) -> None:
        delay = self._throttle.request()
        if delay is None:
            return
        if delay == 0:
            self.post_message(self.Progressed())
        else:
            self.set_timer(delay, lambda: self.post_message(self.Progressed()))

    def on_build_list_progressed(self) -> None:
        self._throttle.done()
        progress = self.progress
        if progress is None:
            return
        self.show_running()
        if self._run_screen is not None and self._run_screen.is_attached:
            self._run_screen.show_progress()

    def show_running(self) -> None:
        """Show the running build's status line, and the actions allowed while it
        runs or once it ended. Only while this screen is shown: the Builds screen
        calls this again when it comes back."""
        progress = self.progress
        running = progress is not None and not progress.done
        self.set_class(running, "-running")
        if self.screen is not self.app.screen:  # (``is_current`` holds under another screen too)
            return
        if progress is not None and running:
            line = f"▶ {self._title} — {progress.status_line(monotonic())}"
            self.query_one("#running", Static).update(line, layout=False)
        if running != self._shown_running:
            self._shown_running = running
            self.refresh_bindings()

    def _open_run_screen(self) -> None:
        assert self.progress is not None
        if self._run_screen is None or self._run_screen.progress is not self.progress:
            self._run_screen = BuildRunScreen(
                self.progress, self._title, clock=monotonic,
                on_cancel=self.action_cancel_build, on_push=self._push_built,
            )  # fmt: skip
        if not self._run_screen.is_attached:
            self.app.push_screen(self._run_screen)

    def _push_built(self) -> None:
        if self._last_form is not None and self._last_form.tags:
            self.app.push_screen(PushScreen(self._last_form.tags[0]))


def _describe(record: BuildRecord) -> str:
    lines = [f"{record.result} · {record.context} · {record.dockerfile} · started "
             f"{record.started:%Y-%m-%d %H:%M:%S} · {record.duration:.1f} s"]  # fmt: skip
    if record.failed_step:
        lines.append(f"failed at step {record.failed_step}")
    if record.error:
        lines.append(record.error)
    if record.image_id:
        lines.append(f"image {record.image_id}")
    return "\n".join(lines)


class _Added:
    """A ``Changes`` of one new history row."""

    def __init__(self, record: BuildRecord) -> None:
        self.upserted = {record.key: record}
        self.deleted: frozenset[str] = frozenset()
        self.reset = False
