"""What the Alerts table shows: its columns, colours, order and row keys.

Plain functions of an ``Alert`` (and, for "since", of a clock), testable without a
terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from console.humanize import age
from console.models import Alert
from screens.widgets.columns import Column, Tone

#: Labels shown in their own columns (or meaningless to the reader), not under LABELS.
_SHOWN_ELSEWHERE = frozenset({"alertname", "severity"})
_SEVERITY_ORDER = {"critical": 0, "error": 1, "warning": 2, "info": 3}
_SEVERITY_TONES: dict[str, Tone] = {"critical": "error", "error": "error", "warning": "warning"}


def alert_key(alert: Alert) -> str:
    """A stable id for one alert: its name and every label, sorted."""
    return ",".join(f"{k}={v}" for k, v in sorted(alert.labels.items())) or alert.name


def alert_rows(alerts: Iterable[Alert]) -> dict[str, Alert]:
    """The alerts keyed by ``alert_key``."""
    return {alert_key(a): a for a in alerts}


def labels_text(alert: Alert) -> str:
    """The alert's identifying labels as ``k=v`` pairs, name and severity left out."""
    return " ".join(f"{k}={v}" for k, v in sorted(alert.labels.items())
                    if k not in _SHOWN_ELSEWHERE)


def state_tone(alert: Alert) -> Tone:
    """Firing is an error, pending a warning."""
    return "error" if alert.state == "firing" else "warning"


def severity_tone(alert: Alert) -> Tone | None:
    """Critical in the error colour, warning in the warning colour."""
    return _SEVERITY_TONES.get(alert.severity)


def alert_columns(clock: Callable[[], datetime]) -> list[Column[Alert]]:
    """The Alerts table's columns; "since" is measured against ``clock()``."""
    return [
        Column("state", "STATE", lambda a: a.state, 7, tone=state_tone),
        Column("severity", "SEVERITY", lambda a: a.severity or "-", 8, tone=severity_tone),
        Column("name", "ALERT", lambda a: a.name, 24, flex=2, max_width=40),
        Column("since", "SINCE", lambda a: age(a.active_at, clock()), 6, align="right"),
        # Narrow terminals drop the labels: the summary names the object, and the
        # detail under the table shows every label of the alert under the cursor.
        Column("labels", "LABELS", labels_text, 16, flex=3, hide_below=120),
        Column("summary", "SUMMARY", lambda a: a.annotations.get("summary", ""), 16, flex=4),
    ]


def alert_detail(alert: Alert) -> list[str]:
    """What the detail under the Alerts table says of ``alert``: name, severity and
    state since when (UTC: the table's SINCE column has the running age); the
    summary; the runbook; every identifying label; the description. One string per
    line, none empty."""
    when = alert.active_at.astimezone(UTC) if alert.active_at else None
    since = f" since {when:%Y-%m-%d %H:%M:%S} UTC" if when else ""
    severity = f" · {alert.severity}" if alert.severity else ""
    value = f" · value {_number(alert.value)}" if alert.value else ""
    lines = [f"{alert.name}{severity} · {alert.state}{since}{value}"]
    notes = alert.annotations
    runbook = f"runbook: {notes['runbook_url']}" if notes.get("runbook_url") else ""
    # Most useful first: a short pane cuts the last lines.
    texts = (notes.get("summary", ""), runbook, labels_text(alert), notes.get("description", ""))
    return lines + [text for text in texts if text]


def _number(text: str) -> str:
    """A sample value as Prometheus sends it ("2.100227790432802e-01") written for a
    reader (0.21); text that is not a number is kept."""
    try:
        return f"{float(text):.4g}"
    except ValueError:
        return text


def alert_sort_key(alert: Alert) -> tuple[int, int, str]:
    """Firing before pending, then by severity (critical first), then by name."""
    return (0 if alert.state == "firing" else 1, _SEVERITY_ORDER.get(alert.severity, 9),
            alert.name)
