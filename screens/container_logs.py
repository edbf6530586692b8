"""One container's logs: the last lines, then followed; stdout and stderr
demultiplexed, each line prefixed with its stream and stderr in the error colour.

The stream runs in a worker that gathers lines into a list; a timer moves them
into a bounded ``LogBuffer`` and repaints ten times a second at most.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from adapters.base import AdapterError
from console.logbuffer import LogBuffer, LogLine
from console.models import Container
from screens.widgets.header import ConsoleHeader
from screens.widgets.log_view import LogView
from screens.widgets.steady_footer import SteadyFooter

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = ["ContainerLogsScreen"]

TAIL = 500
FLUSH_SECONDS = 0.1
_SOURCE = {"stdout": 0, "stderr": 1}


class ContainerLogsScreen(Screen[None]):
    """The followed logs of one container."""

    CSS_PATH = "container_logs.tcss"
    AUTO_FOCUS = "#log"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="container-logs.back"),
        Binding("w", "toggle_wrap", "Wrap", id="container-logs.wrap"),
    ]

    def __init__(self, container: Container) -> None:
        super().__init__()
        self.container = container
        self.buffer = LogBuffer()
        self._arrived: list[LogLine] = []

    @property
    def view(self) -> LogView:
        return self.query_one("#log", LogView)

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        yield Static(f"Logs of {self.container.name} ({self.container.image})", id="title",
                     markup=False)  # fmt: skip
        yield LogView(self.buffer, id="log")
        yield Static(f"last {TAIL} lines, following…", id="log-status", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.view.set_prefixes({"stdout": "out", "stderr": "err"})
        self.run_worker(self._follow(), group="container-logs", exclusive=True,
                        exit_on_error=False)  # fmt: skip
        self.set_interval(FLUSH_SECONDS, self._flush, name="container-logs-flush")

    async def _follow(self) -> None:
        adapter = cast("OpsConsoleApp", self.app).backends.containers
        status = self.query_one("#log-status", Static)
        if adapter is None:
            return
        try:
            async for stream, line in adapter.container_logs(self.container.id, tail=TAIL,
                                                             follow=True):  # fmt: skip
                source = _SOURCE.get(stream, 0)
                self._arrived.append(LogLine(stream, line, source, error=stream == "stderr"))
        except AdapterError as exc:
            status.update(f"{exc.title}: {exc.detail}")
            self.add_class("-error")
            return
        self._flush()
        status.update(f"the log stream ended ({self.container.name} is not running)")

    def _flush(self) -> None:
        if not self._arrived:
            return
        arrived, self._arrived = self._arrived, []
        self.buffer.extend(arrived)
        self.view.lines_changed()

    def action_toggle_wrap(self) -> None:
        """Wrap long lines, or scroll sideways."""
        self.view.wrap = not self.view.wrap
