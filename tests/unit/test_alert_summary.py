"""The header's count of firing alerts by severity."""

from __future__ import annotations

from console.alert_summary import FiringSummary
from console.models import Alert


def alert(state: str, severity: str) -> Alert:
    return Alert(name="A", state=state, severity=severity)  # type: ignore[arg-type]


def test_only_firing_alerts_count_by_severity() -> None:
    summary = FiringSummary.of([
        alert("firing", "critical"), alert("firing", "warning"), alert("firing", "warning"),
        alert("pending", "critical"), alert("firing", "info"), alert("firing", "Page"),
    ])
    assert summary == FiringSummary(critical=2, warning=2, other=1)
    assert summary.total == 5
    assert summary.text() == "▲ 2 critical 2 warning 1 other"
    assert summary.text(short=True) == "▲ 2 crit 2 warn 1 other"


def test_nothing_firing_says_nothing() -> None:
    assert FiringSummary.of([alert("pending", "critical")]).text() == ""
    assert FiringSummary().text(short=True) == ""
