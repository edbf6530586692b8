"""The Containers tab: every container with its state and CPU/memory sparklines
from the stats stream; logs, and start/stop/restart (confirmed, audited).

The list is read again every few seconds while the tab is shown (the next read
is armed only when the previous one finished). Each running container's stats
stream runs in its own worker while the tab is shown; samples go into bounded
histories and the table repaints changed rows at most four times a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker

from adapters.base import AdapterError
from console.container_stats import StatsHistory, sparkline
from console.docker_actions import DockerAction, DockerOperation
from console.models import Container
from console.units import format_value
from screens.container_logs import ContainerLogsScreen
from screens.docker_flow import refuse_disabled_docker_key, run_docker_operation
from screens.operation_flow import read_only_disables
from screens.widgets.columns import Column, Tone
from screens.widgets.resource_table import ResourceTable

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = ["ContainerRow", "ContainersView"]

#: Seconds between two reads of the container list.
POLL_SECONDS = 5.0
SPARK_WIDTH = 10
_TONES: dict[str, Tone] = {"running": "ok", "exited": "muted", "restarting": "warning",
                           "dead": "error", "paused": "warning"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ContainerRow:
    """A container and its recent stats (shared, growing history)."""

    container: Container
    stats: StatsHistory

    @property
    def cpu(self) -> str:
        latest = self.stats.latest
        if latest is None or self.container.state != "running":
            return ""
        return f"{latest[0]:5.1f}% {sparkline(self.stats.cpu, SPARK_WIDTH)}"

    @property
    def memory(self) -> str:
        latest = self.stats.latest
        if latest is None or self.container.state != "running":
            return ""
        return f"{format_value(latest[1], 'bytes'):>9} {sparkline(self.stats.memory, SPARK_WIDTH)}"


class ContainersView(Vertical):
    """The Docker Engine's containers, live while shown."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "logs", "Logs", id="containers.logs"),
        Binding("s", "container('start')", "Start", id="containers.start"),
        Binding("t", "container('stop')", "Stop", id="containers.stop"),
        Binding("R", "container('restart')", "Restart", id="containers.restart"),
    ]
    #: The keys that change a container, disabled in read-only mode.
    MUTATING: ClassVar[dict[str, DockerAction]] = {
        "container('start')": DockerAction.START,
        "container('stop')": DockerAction.STOP,
        "container('restart')": DockerAction.RESTART,
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._stats: dict[str, StatsHistory] = {}
        self._streams: dict[str, Worker[None]] = {}
        self._rows: dict[str, ContainerRow] = {}
        self._timer: Timer | None = None
        self.active = False

    @property
    def console(self) -> OpsConsoleApp:
        return cast("OpsConsoleApp", self.app)

    @property
    def table(self) -> ResourceTable[ContainerRow]:
        return self.query_one("#containers", ResourceTable)

    def compose(self) -> ComposeResult:
        columns: list[Column[ContainerRow]] = [
            Column("name", "NAME", lambda r: r.container.name, 14, flex=1),
            Column("image", "IMAGE", lambda r: r.container.image, 14, flex=1, cut="middle"),
            Column("state", "STATE", lambda r: r.container.state, 8, tone=self._state_tone),
            Column("cpu", "CPU", lambda r: r.cpu, 17),
            Column("memory", "MEMORY", lambda r: r.memory, 20),
        ]
        yield ResourceTable(columns, sort_key=lambda r: r.container.name, id="containers")
        yield Static("", id="containers-message", markup=False)

    @staticmethod
    def _state_tone(row: ContainerRow) -> Tone | None:
        return _TONES.get(row.container.state)

    # ------------------------------------------------------------------ live data

    def activate(self) -> None:
        """Start reading the list and the stats (the tab is shown)."""
        self.active = True
        self._poll()

    def deactivate(self) -> None:
        """Stop every stream and the polling (the tab is hidden)."""
        self.active = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        for worker in self._streams.values():
            worker.cancel()
        self._streams.clear()

    def _poll(self) -> None:
        self._timer = None
        if self.active:
            self.run_worker(self._load(), group="containers", exclusive=True, exit_on_error=False)

    async def _load(self) -> None:
        adapter = self.console.backends.containers
        message = self.query_one("#containers-message", Static)
        try:
            if adapter is None:
                return
            try:
                containers = await adapter.containers(all=True)
            except AdapterError as exc:
                message.update(f"{exc.title}: {exc.detail}")
                return
            message.update("" if containers else "No containers.")
            self._show(containers)
        finally:
            if self.active and self._timer is None:
                self._timer = self.set_timer(POLL_SECONDS, self._poll, name="containers-poll")

    def _show(self, containers: list[Container]) -> None:
        rows = {
            c.id: ContainerRow(c, self._stats.setdefault(c.id, StatsHistory())) for c in containers
        }
        self._rows = rows
        self.table.replace_all(rows)
        for gone in set(self._stats) - set(rows):
            del self._stats[gone]
        for cid, worker in list(self._streams.items()):
            if cid not in rows or rows[cid].container.state != "running":
                worker.cancel()
                del self._streams[cid]
        for cid, row in rows.items():
            if row.container.state == "running" and cid not in self._streams:
                follow = self._follow_stats(cid)
                self._streams[cid] = self.run_worker(
                    follow, group=f"stats:{cid}", exclusive=True, exit_on_error=False
                )

    async def _follow_stats(self, cid: str) -> None:
        adapter = self.console.backends.containers
        if adapter is None:
            return
        try:
            async for sample in adapter.container_stats(cid):
                history = self._stats.get(cid)
                row = self._rows.get(cid)
                if history is None or row is None:
                    return
                history.add(sample)
                self.table.apply(_Upsert({cid: row}))
        except AdapterError:
            self._streams.pop(cid, None)

    # ------------------------------------------------------------------ actions

    def on_resource_table_row_selected(self, event: ResourceTable.RowSelected) -> None:
        """``enter`` on a row (the table takes the key) opens it."""
        event.stop()
        if self.console.docker_health.state == "ok":
            self.action_logs()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Every action needs the daemon: shown disabled while it does not answer;
        start, stop and restart are shown disabled in read-only mode too."""
        if self.console.docker_health.state != "ok":
            return None
        return read_only_disables(self, action, {"container"})

    def on_key(self, event: events.Key) -> None:
        refuse_disabled_docker_key(self, event, self.MUTATING)

    def _selected(self) -> Container | None:
        key = self.table.cursor_key
        row = self.table.row(key) if key else None
        return row.container if row else None

    def action_logs(self) -> None:
        """Show the selected container's logs (tail, then follow)."""
        container = self._selected()
        if container is not None:
            self.app.push_screen(ContainerLogsScreen(container))

    def action_container(self, action: Literal["start", "stop", "restart"]) -> None:
        """Start, stop or restart the selected container, after confirmation."""
        container = self._selected()
        if container is not None:
            self.run_worker(self._act(container, action), group="container-action",
                            exclusive=True, exit_on_error=False)  # fmt: skip

    async def _act(self, container: Container, action: Literal["start", "stop", "restart"]) -> None:
        op = DockerOperation.container(container.name, action)
        if await run_docker_operation(self.screen, op) is not None:
            self._poll()


class _Upsert:
    """A ``Changes`` of rows changed, nothing deleted."""

    def __init__(self, rows: dict[str, ContainerRow]) -> None:
        self.upserted = rows
        self.deleted: frozenset[str] = frozenset()
        self.reset = False
