"""The logs view: follow one pod, or the pods of a deployment interleaved.

One worker per pod streams lines into a list; a timer moves them into the bounded
``LogBuffer`` and repaints ten times a second, so a fast stream costs one repaint
per tick however many lines arrive. The view pauses and resumes, filters by regex
while streaming, wraps, jumps to either end, reads the previous container, changes
tail and since (restarting the streams), and saves what is shown to a file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from adapters.base import AdapterError, ClusterAdapter, LogOptions
from console.logbuffer import LogBuffer, LogLine
from console.models import Pod
from console.validation import ValidationError
from screens.widgets.focus import focus_now, skip_while_typing
from screens.widgets.header import ConsoleHeader
from screens.widgets.log_view import LogView
from screens.widgets.steady_footer import SteadyFooter

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = ["LogsScreen", "short_prefixes"]

#: Pods followed at once for a deployment (kubectl's --max-log-requests is 5).
MAX_STREAMS = 10
FLUSH_SECONDS = 0.1
TAIL_CHOICES = (100, 500, 2_000, 10_000)
SINCE_CHOICES: tuple[int | None, ...] = (None, 300, 3_600, 6 * 3_600, 86_400)


def short_prefixes(pods: Sequence[str]) -> dict[str, str]:
    """Each pod's name without the prefix all of them share ("llama-7d9f-abcde" and
    "llama-7d9f-fghij" become "abcde" and "fghij"); {} for a single pod."""
    if len(pods) < 2:
        return {}
    common = os.path.commonprefix(list(pods))  # noqa: RUF071 - names, not paths
    cut = common.rfind("-") + 1
    return {pod: pod[cut:] or pod for pod in pods}


def _since_text(seconds: int | None) -> str:
    if seconds is None:
        return "all"
    return f"{seconds // 3_600}h" if seconds >= 3_600 else f"{seconds // 60}m"


class LogsScreen(Screen[None]):
    """The logs of ``pods`` (all in ``namespace``), followed live."""

    CSS_PATH = "logs.tcss"
    AUTO_FOCUS = "#log"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="logs.back"),
        Binding("space", "pause", "Pause/resume", id="logs.pause"),
        Binding("slash", "filter", "Filter", id="logs.filter", priority=True),
        Binding("w", "wrap", "Wrap", id="logs.wrap"),
        Binding("p", "previous", "Previous", id="logs.previous"),
        Binding("t", "tail", "Tail", id="logs.tail"),
        Binding("S", "since", "Since", id="logs.since"),
        Binding("c", "container", "Container", id="logs.container"),
        Binding("ctrl+s", "save", "Save", id="logs.save"),
    ]

    def __init__(self, namespace: str, pods: Sequence[Pod], *, title: str = "") -> None:
        super().__init__()
        self.namespace = namespace
        self.pods = list(pods)[:MAX_STREAMS]
        self.total_pods = len(pods)
        self.title_text = title or (f"Logs of pod {namespace}/{pods[0].name}" if pods else "Logs")
        self.buffer = LogBuffer()
        self.previous = False
        self.tail = 500
        self.since: int | None = None
        self.container_index = 0
        self._incoming: list[LogLine] = []

    @property
    def console(self) -> OpsConsoleApp:
        return cast("OpsConsoleApp", self.app)

    @property
    def view(self) -> LogView:
        return self.query_one("#log", LogView)

    @property
    def container(self) -> str | None:
        """The container followed (None: each pod's first container)."""
        names = [c.name for c in self.pods[0].containers] if len(self.pods) == 1 else []
        return names[self.container_index % len(names)] if names else None

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        yield Static(self.title_text, id="title", markup=False)
        yield LogView(self.buffer, id="log")
        yield Input(placeholder="regex filter (enter keeps it, esc clears)", id="filter",
                    compact=True)  # fmt: skip
        yield Input(id="save-path", compact=True)
        yield Static("", id="status", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.view.set_prefixes(short_prefixes([p.name for p in self.pods]))
        self.set_interval(FLUSH_SECONDS, self._flush, name="flush")
        self._start()

    # ------------------------------------------------------------------ streaming

    def _start(self) -> None:
        """(Re)start one stream per pod with the current options."""
        self.workers.cancel_group(self, "streams")
        self._incoming.clear()
        self.buffer.clear()
        self.view.lines_changed()
        cluster = self.console.backends.cluster
        if cluster is None:
            self.notify("Kubernetes is not configured", severity="warning")
            return
        options = LogOptions(
            container=self.container,
            follow=not self.previous,
            previous=self.previous,
            tail_lines=self.tail,
            since_seconds=self.since,
        )
        for source, pod in enumerate(self.pods):
            self.run_worker(self._follow(cluster, pod.name, source, options), group="streams",
                            exit_on_error=False)  # fmt: skip
        self._show_status()

    async def _follow(
        self, cluster: ClusterAdapter, pod: str, source: int, options: LogOptions
    ) -> None:
        incoming = self._incoming
        try:
            async for text in cluster.logs(self.namespace, pod, options):
                incoming.append(LogLine.of(pod, text, source))
        except AdapterError as exc:
            incoming.append(LogLine(pod, f"── {exc.title}: {exc.detail}", source, error=True))
            return
        if options.follow:
            incoming.append(LogLine(pod, "── the log stream ended", source))

    def _flush(self) -> None:
        """Move the lines that arrived into the buffer and repaint once."""
        if not self._incoming:
            return
        arrived = self._incoming[:]
        self._incoming.clear()
        before = self._shown_signature()
        appended = self.buffer.extend(arrived)
        if self._shown_signature() != before:
            self.view.lines_changed(appended)
        self._show_status()

    def _shown_signature(self) -> tuple[int, int, int]:
        """What changes when the shown lines change (their count and both ends)."""
        shown = self.buffer.shown
        return (len(shown), id(shown[0]), id(shown[-1])) if shown else (0, 0, 0)

    def _show_status(self) -> None:
        b = self.buffer
        parts = [
            f"container {self.container or 'default'}",
            "previous" if self.previous else "following",
            f"tail {self.tail}",
            f"since {_since_text(self.since)}",
            f"{len(b.shown):,} of {len(b.lines):,} lines",
        ]
        if self.total_pods > len(self.pods):
            parts.insert(0, f"{len(self.pods)} of {self.total_pods} pods")
        if b.dropped:
            parts.append(f"{b.dropped:,} dropped")
        if b.pattern:
            parts.append(f"filter /{b.pattern}/")
        if b.paused:
            parts.append(f"PAUSED ({b.waiting:,} waiting)")
        if self.view.wrap:
            parts.append("wrap")
        self.query_one("#status", Static).update(" · ".join(parts), layout=False)

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        """Stop the streams and return to the screen below."""
        self.workers.cancel_group(self, "streams")
        self.dismiss()

    def action_pause(self) -> None:
        """Hold new lines back (the view stays still), or let them in again. Held
        and shown lines share the buffer's bound: past it, the oldest shown lines
        leave the top of the view, counted as dropped."""
        if self.buffer.paused:
            appended = self.buffer.resume()
            self.view.follow = True
            self.view.lines_changed(appended)
        else:
            self.buffer.pause()
        self._show_status()

    def action_wrap(self) -> None:
        """Wrap long lines, or scroll them sideways."""
        self.view.wrap = not self.view.wrap
        self._show_status()

    def action_previous(self) -> None:
        """Read the previous (crashed) container instead of following, or back."""
        self.previous = not self.previous
        self._start()

    def action_tail(self) -> None:
        """Read the next tail size (100, 500, 2,000, 10,000 lines) and restart."""
        self.tail = TAIL_CHOICES[(TAIL_CHOICES.index(self.tail) + 1) % len(TAIL_CHOICES)]
        self._start()

    def action_since(self) -> None:
        """Read lines since the next bound (all, 5m, 1h, 6h, 24h) and restart."""
        self.since = SINCE_CHOICES[(SINCE_CHOICES.index(self.since) + 1) % len(SINCE_CHOICES)]
        self._start()

    def action_container(self) -> None:
        """Follow the pod's next container."""
        self.container_index += 1
        self._start()

    def action_filter(self) -> None:
        """Open the filter line."""
        skip_while_typing(self)
        field = self.query_one("#filter", Input)
        field.add_class("-open")
        focus_now(field)  # keys typed right after `/` are the pattern

    def action_save(self) -> None:
        """Ask where to save the shown lines."""
        field = self.query_one("#save-path", Input)
        stamp = self.console.clock().strftime("%Y%m%d-%H%M%S")
        field.value = str(Path.cwd() / f"{self.pods[0].name if self.pods else 'logs'}-{stamp}.log")
        field.add_class("-open")
        focus_now(field)

    # ------------------------------------------------------------------ inputs

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        try:
            self.buffer.set_filter(event.value)
        except ValidationError as exc:
            self.query_one("#status", Static).update(Content(exc.message))
            event.input.add_class("-invalid")
            return
        event.input.remove_class("-invalid")
        self.view.lines_changed()
        self._show_status()

    @on(Input.Submitted, "#filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        event.input.set_class(bool(event.value), "-open")
        self.view.focus()

    @on(Input.Submitted, "#save-path")
    def _save(self, event: Input.Submitted) -> None:
        event.input.remove_class("-open")
        self.view.focus()
        path = Path(event.value).expanduser()
        try:
            count = self.buffer.save(path, with_pod=len(self.pods) > 1)
        except OSError as exc:
            self.notify(f"{path}: {exc.strerror or exc}", title="Not saved", severity="error",
                        markup=False)  # fmt: skip
            return
        self.notify(f"{count:,} lines written to {path}", title="Saved", markup=False)

    def on_key(self, event: events.Key) -> None:
        """``escape`` in an input closes it (clearing the filter) instead of leaving."""
        focused = self.focused
        if event.key == "escape" and isinstance(focused, Input):
            if focused.id == "filter":
                focused.value = ""
            focused.remove_class("-open")
            self.view.focus()
            event.stop()
