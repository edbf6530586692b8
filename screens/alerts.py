"""The Alerts screen: the firing and pending alerts of the Prometheus-compatible
API (``/api/v1/alerts``), refreshed on a timer; ``enter`` charts an alert's
expression over the last hour with its threshold.

The list sits in the shared keyed ``ResourceTable``: each refresh repaints only
the alerts that appeared, changed or resolved. A down or slow Prometheus is said
plainly above the (possibly stale) list; timeouts wait for ``r``.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from adapters.base import AdapterError, MetricsAdapter, Timeout
from console.alert_query import alert_panel
from console.alert_summary import FiringSummary
from console.models import Alert, AlertRule
from screens.alert_columns import alert_columns, alert_detail, alert_rows, alert_sort_key
from screens.metrics import MetricsScreen
from screens.refresh_timer import RefreshTimer
from screens.widgets.header import ConsoleHeader
from screens.widgets.resource_table import ResourceTable
from screens.widgets.steady_footer import SteadyFooter

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

#: The range an alert's chart opens with (seconds).
ALERT_CHART_RANGE = 3600.0


@dataclass(slots=True)
class _AlertChanges:
    """What one refresh changed, in the shape ``ResourceTable.apply`` takes."""

    upserted: Mapping[str, Alert] = field(default_factory=dict)
    deleted: AbstractSet[str] = frozenset()
    reset: bool = False


class AlertsScreen(Screen[None]):
    """Firing and pending alerts, most urgent first."""

    CSS_PATH = "alerts.tcss"
    AUTO_FOCUS = "#alerts"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", id="alerts.refresh"),
    ]

    class Loaded(Message):
        """The alerts of one refresh, or why there are none."""

        def __init__(self, alerts: list[Alert] | None, error: AdapterError | None) -> None:
            super().__init__()
            self.alerts = alerts
            self.error = error

    class RuleFound(Message):
        """The rule of the alert to chart (None when Prometheus has no such rule)."""

        def __init__(self, alert: Alert, rule: AlertRule | None) -> None:
            super().__init__()
            self.alert = alert
            self.rule = rule

    def __init__(self) -> None:
        super().__init__()
        self._shown: dict[str, Alert] = {}
        self._timer = RefreshTimer(self, self._refresh_now, name="alerts-refresh")
        self._loaded = False

    @property
    def console(self) -> OpsConsoleApp:
        """The app, with its config and backends."""
        return cast("OpsConsoleApp", self.app)

    @property
    def table(self) -> ResourceTable[Alert]:
        """The alerts table."""
        return cast("ResourceTable[Alert]", self.query_one("#alerts", ResourceTable))

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        yield Static("", id="message", markup=False)
        yield ResourceTable(alert_columns(self.console.clock), sort_key=alert_sort_key,
                            id="alerts")
        yield Static("", id="detail", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        if self.console.backends.metrics is None:
            self._say("Prometheus is not configured: set [prometheus] url in the config file.",
                      error=True)
            return
        self._say("Loading alerts…", error=False)
        self._refresh_now()

    # ------------------------------------------------------------------ refreshing

    def _refresh_now(self) -> None:
        self._timer.cancel()
        adapter = self.console.backends.metrics
        if adapter is not None:
            self._load(adapter)

    @work(exclusive=True, group="alerts", exit_on_error=False)
    async def _load(self, adapter: MetricsAdapter) -> None:
        """Fetch the alerts and post them (or the error)."""
        try:
            self.post_message(self.Loaded(await adapter.alerts(), None))
        except AdapterError as exc:
            self.post_message(self.Loaded(None, exc))

    def on_alerts_screen_loaded(self, message: Loaded) -> None:
        if message.alerts is not None:
            self._apply(alert_rows(message.alerts))
            # The header's count agrees with the table at once, not at its next poll.
            self.console.firing = FiringSummary.of(message.alerts)
            self._say("" if message.alerts else "No alert is firing or pending.", error=False)
        elif message.error is not None:
            self._say_failure(message.error)
            if isinstance(message.error, Timeout):
                return
        self._timer.schedule(self.console.config.ui.refresh_seconds)

    def _apply(self, rows: dict[str, Alert]) -> None:
        """Repaint only the alerts that appeared, changed or resolved."""
        upserted = {k: a for k, a in rows.items() if self._shown.get(k) != a}
        deleted = self._shown.keys() - rows.keys()
        self._shown = rows
        if not self._loaded:
            self._loaded = True
            self.table.replace_all(rows)
        elif upserted or deleted:
            self.table.apply(_AlertChanges(upserted, deleted))

    def on_resource_table_row_highlighted(self, event: ResourceTable.RowHighlighted) -> None:
        self._show_detail(event.key)

    def on_resource_table_rows_changed(self, event: ResourceTable.RowsChanged) -> None:
        self._show_detail(event.table.cursor_key)

    def _show_detail(self, key: str | None) -> None:
        """Describe the alert under the cursor below the table (hidden when none)."""
        detail = self.query_one("#detail", Static)
        alert = self._shown.get(key) if key is not None else None
        detail.update("\n".join(alert_detail(alert)) if alert else "")
        detail.set_class(alert is not None, "-visible")

    def on_screen_suspend(self) -> None:
        self._timer.suspend()

    def on_screen_resume(self) -> None:
        self._timer.resume()

    def _say(self, text: str, *, error: bool) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(bool(text), "-visible")
        message.set_class(error, "-error")

    def _say_failure(self, error: AdapterError) -> None:
        stale = " — the list below may be stale" if self._shown else ""
        if isinstance(error, Timeout):
            self._say(f"Prometheus timed out: {error.detail}{stale}. Press r to retry.",
                      error=True)
        else:
            self._say(f"Prometheus unavailable: {error.detail or error.title}{stale}", error=True)

    # ------------------------------------------------------------------ actions

    def action_refresh(self) -> None:
        """Fetch the alerts now."""
        self._refresh_now()

    def on_resource_table_row_selected(self, event: ResourceTable.RowSelected) -> None:
        alert = self._shown.get(event.key)
        adapter = self.console.backends.metrics
        if alert is not None and adapter is not None:
            self._find_rule(adapter, alert)

    @work(exclusive=True, group="alert-rule", exit_on_error=False)
    async def _find_rule(self, adapter: MetricsAdapter, alert: Alert) -> None:
        """Look up ``alert``'s rule (for its expression) and post it."""
        try:
            rules = await adapter.rules()
        except AdapterError as exc:
            self.notify(exc.detail, title=exc.title, severity="error", markup=False)
            return
        rule = next((r for r in rules if r.name == alert.name), None)
        self.post_message(self.RuleFound(alert, rule))

    def on_alerts_screen_rule_found(self, message: RuleFound) -> None:
        if message.rule is None:
            self.notify(f"Prometheus has no alerting rule named {message.alert.name}.",
                        title="No rule", severity="warning", markup=False)
            return
        panel = alert_panel(message.alert, message.rule)
        self.app.push_screen(MetricsScreen([panel], title=f"Alert {message.alert.name}",
                                           range_seconds=ALERT_CHART_RANGE))
