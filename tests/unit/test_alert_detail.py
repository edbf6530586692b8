"""What the Alerts screen says of the alert under the cursor, and which columns an
80-column terminal keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from console.models import Alert
from screens.alert_columns import alert_columns, alert_detail
from screens.widgets.columns import layout

NOW = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)

ALERT = Alert(
    name="ModelServerHighErrorRate", state="firing", severity="critical",
    labels={"alertname": "ModelServerHighErrorRate", "severity": "critical",
            "namespace": "serving", "deployment": "mistral-7b-chat"},
    annotations={"summary": "mistral-7b-chat answers 21% of requests with 5xx",
                 "runbook_url": "https://runbooks.example/high-error-rate",
                 "description": "Roll back the last rollout."},
    active_at=datetime(2026, 12, 5, 7, 50, 3, tzinfo=timezone(timedelta(hours=2))),
    value="2.100227790432802e-01",
)


def test_the_detail_names_state_since_in_utc_summary_labels_runbook_and_description() -> None:
    assert alert_detail(ALERT) == [
        "ModelServerHighErrorRate · critical · firing since 2026-12-05 05:50:03 UTC · value 0.21",
        "mistral-7b-chat answers 21% of requests with 5xx",
        "runbook: https://runbooks.example/high-error-rate",
        "deployment=mistral-7b-chat namespace=serving",
        "Roll back the last rollout.",
    ]


def test_the_detail_leaves_out_what_the_alert_does_not_have() -> None:
    bare = Alert(name="Watchdog", state="pending", labels={"alertname": "Watchdog"},
                 value="NaN-ish")
    assert alert_detail(bare) == ["Watchdog · pending · value NaN-ish"]


def test_80_columns_drop_the_labels_and_keep_the_alert_name_whole() -> None:
    columns = alert_columns(lambda: NOW)
    widths = dict(zip((c.key for c in columns), layout(columns, 80), strict=True))
    assert widths["labels"] == 0
    assert widths["name"] >= len("ModelServerHighErrorRate")
    assert widths["summary"] >= 20
    wide = dict(zip((c.key for c in columns), layout(columns, 160), strict=True))
    assert wide["labels"] > 0
