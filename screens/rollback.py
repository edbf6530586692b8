"""The rollback screen: a deployment's revisions, each one's diff, then the rollback.

The revisions come from the deployment's ReplicaSets (revision, age, images,
change-cause). Highlighting one shows its pod template against the current one as
a unified diff; ``enter`` rolls back to it through the operations pipeline (server
dry run, confirmation, audit), exactly as ``kubectl rollout undo --to-revision``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from adapters.base import AdapterError, Kind
from console.actions import Action, Operation
from console.humanize import age, short_images
from console.models import Deployment, ReplicaSet
from console.rollout import RevisionInfo, UnknownRevision, pod_template, resolve_revision, revisions
from console.rollout import template_diff as diff_templates
from screens.confirm import diff_content
from screens.operation_flow import read_only_disables, refuse_disabled_key, run_operation
from screens.widgets.header import ConsoleHeader
from screens.widgets.steady_footer import SteadyFooter

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = ["RollbackScreen"]

MUTATING = {"rollback": Action.ROLLBACK}


class RollbackScreen(Screen[None]):
    """The revision history of ``deployment``, to roll back to one of them."""

    CSS_PATH = "rollback.tcss"
    AUTO_FOCUS = "#revisions"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="rollback.back"),
        Binding("enter", "rollback", "Roll back to this", id="rollback.apply", priority=True),
        Binding("ctrl+r", "reload", "Reload", id="rollback.reload"),
    ]

    def __init__(self, deployment: Deployment) -> None:
        super().__init__()
        self.deployment = deployment
        self.history: list[RevisionInfo] = []
        self._current_template: dict[str, Any] = {}
        self._templates: dict[str, dict[str, Any]] = {}

    @property
    def console(self) -> OpsConsoleApp:
        return cast("OpsConsoleApp", self.app)

    def compose(self) -> ComposeResult:
        d = self.deployment
        yield ConsoleHeader()
        yield Static(f"Roll back deployment {d.namespace}/{d.name}", id="title", markup=False)
        table: DataTable[str] = DataTable(cursor_type="row", id="revisions")
        table.add_columns("REV", "AGE", "IMAGES", "CHANGE-CAUSE", "")
        yield table
        with VerticalScroll(id="diff"):
            yield Static("Loading revisions…", id="diff-text", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.action_reload()

    def selected(self) -> RevisionInfo | None:
        """The highlighted revision, or None before the history is loaded."""
        row = self.query_one("#revisions", DataTable).cursor_row
        return self.history[row] if 0 <= row < len(self.history) else None

    # ------------------------------------------------------------------ loading

    def action_reload(self) -> None:
        """Read the deployment and its ReplicaSets again."""
        self._load()

    @work(exclusive=True, group="rollback-load", exit_on_error=False)
    async def _load(self) -> None:
        cluster = self.console.backends.cluster
        if cluster is None:
            return
        d = self.deployment
        try:
            manifest = await cluster.get_manifest(Kind.DEPLOYMENT, d.namespace, d.name)
            listed = await cluster.list(Kind.REPLICASET, d.namespace)
        except AdapterError as exc:
            self._show_diff(Content(f"{exc.title}: {exc.detail}"))
            return
        revision = manifest.get("metadata", {}).get("annotations", {})
        current = int(revision.get("deployment.kubernetes.io/revision", d.revision) or 0)
        self.deployment = d.model_copy(update={"revision": current})
        self._current_template = pod_template(manifest)
        self._templates.clear()
        replicasets = [rs for rs in listed.items if isinstance(rs, ReplicaSet)]
        self.history = revisions(self.deployment, replicasets)
        self._fill_table()

    def _fill_table(self) -> None:
        table = self.query_one("#revisions", DataTable)
        table.clear()
        now = self.console.clock()
        for info in self.history:
            table.add_row(
                str(info.revision),
                age(info.created, now),
                short_images(info.images),
                info.change_cause or "-",
                "current" if info.current else "",
                key=info.rs_name,
            )
        try:
            target = resolve_revision(self.history, 0)
        except UnknownRevision as exc:
            self._show_diff(Content(exc.message))
            return
        table.move_cursor(row=self.history.index(target))

    @on(DataTable.RowHighlighted, "#revisions")
    def _highlighted(self) -> None:
        info = self.selected()
        if info is not None:
            self._load_diff(info)

    @work(exclusive=True, group="rollback-diff", exit_on_error=False)
    async def _load_diff(self, info: RevisionInfo) -> None:
        if info.current:
            self._show_diff(Content(f"revision {info.revision} is the current revision"))
            return
        cluster = self.console.backends.cluster
        if cluster is None:
            return
        if info.rs_name not in self._templates:
            try:
                rs = await cluster.get_manifest(Kind.REPLICASET, self.deployment.namespace,
                                                info.rs_name)  # fmt: skip
            except AdapterError as exc:
                self._show_diff(Content(f"{exc.title}: {exc.detail}"))
                return
            self._templates[info.rs_name] = pod_template(rs)
        diff = diff_templates(
            self._current_template,
            self._templates[info.rs_name],
            current_label=f"current (revision {self.deployment.revision})",
            target_label=f"revision {info.revision}",
        )
        self._show_diff(diff_content(diff) if diff else Content("(same pod template)"))

    def _show_diff(self, content: Content) -> None:
        self.query_one("#diff-text", Static).update(content)

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        """Return to the screen below."""
        self.dismiss()

    def action_rollback(self) -> None:
        """Roll back to the highlighted revision (preview and confirmation first)."""
        info = self.selected()
        if info is None:
            return
        try:
            resolve_revision(self.history, info.revision)
        except UnknownRevision as exc:
            self.notify(exc.message, title="Refused", severity="warning", markup=False)
            return
        d = self.deployment
        op = Operation.rollback(self.console.context, d.namespace, d.name, info.revision)
        self.run_worker(self._roll_back(op), group="operation", exclusive=True,
                        exit_on_error=False)  # fmt: skip

    async def _roll_back(self, op: Operation) -> None:
        outcome = await run_operation(self, op, on_reload=self.action_reload)
        if outcome is not None and outcome.ok:
            self.action_reload()

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        return read_only_disables(self, action, MUTATING)

    def on_key(self, event: events.Key) -> None:
        refuse_disabled_key(self, event, MUTATING)
