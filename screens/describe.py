"""The describe view: one object as YAML (without ``managedFields``), and its events.

The manifest and the events are read in a worker when the screen opens and again
on ``r``; nothing is parsed as markup, and the whole text scrolls and can be
selected for copying.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from adapters.base import AdapterError, ClusterAdapter, Kind
from console.humanize import age
from console.manifests import readable, to_yaml
from console.models import Event
from screens.widgets.header import ConsoleHeader
from screens.widgets.steady_footer import SteadyFooter

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = ["DescribeScreen", "events_text"]


def events_text(events: list[Event], now: datetime) -> str:
    """The events as kubectl describe lists them, oldest first:
    ``TYPE  REASON  AGE  FROM  MESSAGE``; "<none>" when there are none."""
    if not events:
        return "<none>"
    ordered = sorted(events, key=lambda e: e.last_seen or e.created or now)
    rows = [("TYPE", "REASON", "AGE", "FROM", "MESSAGE")]
    for event in ordered:
        when = age(event.last_seen or event.created, now)
        seen = f"{when} (x{event.count})" if event.count > 1 else when
        rows.append((event.type, event.reason, seen, event.source, event.message))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in rows
    )


class DescribeScreen(Screen[None]):
    """``kind`` ``namespace``/``name`` as YAML, its events underneath."""

    CSS_PATH = "describe.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="describe.back"),
        Binding("r", "reload", "Reload", id="describe.reload"),
    ]

    def __init__(self, kind: Kind, namespace: str, name: str) -> None:
        super().__init__()
        self.kind = kind
        self.namespace = namespace
        self.name_ = name

    @property
    def console(self) -> OpsConsoleApp:
        return cast("OpsConsoleApp", self.app)

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        where = f"{self.namespace}/" if self.namespace else ""
        yield Static(f"{self.kind.kind_name} {where}{self.name_}", id="title", markup=False)
        with VerticalScroll(id="body"):
            yield Static("Loading…", id="yaml", markup=False)
            yield Static("Events:", id="events-title", markup=False)
            yield Static("", id="events", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#body").focus()
        self.action_reload()

    def action_back(self) -> None:
        """Return to the screen below."""
        self.dismiss()

    def action_reload(self) -> None:
        """Read the object and its events again."""
        self._load()

    @work(exclusive=True, group="describe", exit_on_error=False)
    async def _load(self) -> None:
        cluster = self.console.backends.cluster
        yaml_view = self.query_one("#yaml", Static)
        if cluster is None:
            yaml_view.update("Kubernetes is not configured.")
            return
        namespace = self.namespace if self.kind.namespaced else None
        try:
            manifest = await cluster.get_manifest(self.kind, namespace, self.name_)
        except AdapterError as exc:
            yaml_view.update(Content(f"{exc.title}: {exc.detail}"))
            yaml_view.add_class("-error")
            return
        yaml_view.remove_class("-error")
        yaml_view.update(Content(to_yaml(readable(manifest))))
        self.query_one("#events", Static).update(Content(await self._events(cluster)))

    async def _events(self, cluster: ClusterAdapter) -> str:
        """The object's events as text, or why they could not be read."""
        selector = f"involvedObject.name={self.name_},involvedObject.kind={self.kind.kind_name}"
        try:
            found = await cluster.list(Kind.EVENT, self.namespace or None, field_selector=selector)
        except AdapterError as exc:
            return f"events unavailable — {exc.title}: {exc.detail}"
        events = [
            e for e in found.items
            if isinstance(e, Event) and e.involved_name == self.name_
        ]  # fmt: skip
        return events_text(events, self.console.clock())
