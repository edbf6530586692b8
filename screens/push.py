"""Pushing an image: confirmed and audited, then one progress bar per layer; a
failure (auth, unknown registry) explained in words.

The push runs in this screen's worker; leaving the screen stops it (the daemon
abandons the upload when the connection closes) and the audit log says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, ProgressBar, Static

from adapters.base import AdapterError
from console.audit import AuditError
from console.docker_actions import DockerOperation
from console.models import PushEvent
from console.operations import OperationError
from console.push_progress import LayerProgress, PushProgress, explain_push_error
from console.throttle import Throttle
from console.validation import ValidationError
from screens.docker_flow import confirm_docker, report_refusal
from screens.widgets.header import ConsoleHeader
from screens.widgets.steady_footer import SteadyFooter

__all__ = ["PushScreen"]


class PushScreen(Screen[None]):
    """The push of one reference, layer by layer."""

    CSS_PATH = "push.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back (stops a running push)", id="push.back"),
    ]

    def __init__(self, reference: str) -> None:
        super().__init__()
        self.reference = reference
        self.progress = PushProgress(reference)
        self._throttle = Throttle(0.1)
        self._rows: dict[str, tuple[ProgressBar, Label]] = {}

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        yield Static(f"Push {self.reference}", id="title", markup=False)
        yield Static("waiting for confirmation…", id="summary", markup=False)
        yield Static("", id="error", markup=False)
        yield VerticalScroll(id="layers")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.run_worker(self._push(), group="push", exclusive=True, exit_on_error=False)

    async def _push(self) -> None:
        op = DockerOperation.push(self.reference)
        ops = await confirm_docker(self, op)
        if ops is None:
            self.dismiss()
            return
        try:
            intent = await ops.begin(op)
        except (OperationError, ValidationError) as exc:
            report_refusal(self, exc)
            self.dismiss()
            return
        try:
            events = cast("AsyncGenerator[PushEvent, None]", ops.adapter.push(self.reference))
            async with aclosing(events):
                async for event in events:
                    self.progress.apply(event)
                    self._repaint_soon()
        except AdapterError as exc:
            self.progress.apply(PushEvent(error=f"{exc.title}: {exc.detail}", done=True))
        except asyncio.CancelledError:
            ops.finish_now(intent, "unknown", "the operator left the push screen")
            raise
        progress = self.progress
        if not progress.done:
            progress.apply(PushEvent(error="the push stream ended early", done=True))
        error = None if progress.ok else AuditError(title="Push failed", detail=progress.error)
        problem = await ops.finish(intent, "ok" if progress.ok else "error", error)
        if problem:
            self.notify(problem, title="Audit log", severity="error", markup=False)
        self._repaint()

    def _repaint_soon(self) -> None:
        delay = self._throttle.request()
        if delay is not None:
            self.set_timer(delay, self._repaint)

    def _repaint(self) -> None:
        self._throttle.done()
        progress = self.progress
        self.query_one("#summary", Static).update(progress.summary())
        if progress.error:
            explained = explain_push_error(progress.error, self.reference)
            self.query_one("#error", Static).update(f"{explained}\nDaemon: {progress.error}")
            self.add_class("-failed")
        self.set_class(progress.ok, "-pushed")
        for layer in progress.layers.values():
            self._show_layer(layer)

    def _show_layer(self, layer: LayerProgress) -> None:
        row = self._rows.get(layer.layer)
        if row is None:
            bar = ProgressBar(total=100, show_eta=False)
            status = Label("", classes="status", markup=False)
            row = self._rows[layer.layer] = (bar, status)
            name = Label(layer.layer[:12], classes="layer", markup=False)
            self.query_one("#layers").mount(Horizontal(name, bar, status, classes="row"))
        bar, status = row
        bar.update(progress=round(layer.fraction * 100))
        status.update(layer.status)
