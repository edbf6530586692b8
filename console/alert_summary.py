"""What is firing, in a few characters: the header's answer to "is anything broken?".

Counts the firing alerts (pending ones are not yet an incident) by severity, the way
an on-call reader ranks them: critical, then warning, then the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from console.models import Alert

_CRITICAL = frozenset({"critical", "error", "page"})
_WARNING = frozenset({"warning", "warn"})


@dataclass(frozen=True, slots=True)
class FiringSummary:
    """How many alerts fire, by severity."""

    critical: int = 0
    warning: int = 0
    other: int = 0

    @classmethod
    def of(cls, alerts: Iterable[Alert]) -> FiringSummary:
        """Count the firing ones among ``alerts``."""
        critical = warning = other = 0
        for alert in alerts:
            if alert.state != "firing":
                continue
            severity = alert.severity.lower()
            if severity in _CRITICAL:
                critical += 1
            elif severity in _WARNING:
                warning += 1
            else:
                other += 1
        return cls(critical, warning, other)

    @property
    def total(self) -> int:
        """Every firing alert."""
        return self.critical + self.warning + self.other

    def text(self, *, short: bool = False) -> str:
        """``▲ 1 critical 8 warning`` (``▲ 1 crit 8 warn`` when ``short``); "" when
        nothing fires."""
        names = ("crit", "warn", "other") if short else ("critical", "warning", "other")
        parts = [f"{n} {name}" for n, name in zip((self.critical, self.warning, self.other),
                                                  names, strict=True) if n]
        return f"▲ {' '.join(parts)}" if parts else ""
