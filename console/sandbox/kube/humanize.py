"""Timestamps and durations as Kubernetes prints them (``duration.HumanDuration``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_time(stamp: str | None) -> float | None:
    """Unix seconds for an RFC 3339 timestamp (``...Z``, optional fraction), or None."""
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def format_time(seconds: float, *, nanos: bool = False) -> str:
    """Unix ``seconds`` as RFC 3339 UTC; with ``nanos`` as RFC 3339 with 9 fraction
    digits, the form the kubelet uses for ``timestamps=true`` log prefixes."""
    moment = datetime.fromtimestamp(seconds, UTC)
    if not nanos:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}000Z"


def human_duration(seconds: float) -> str:
    """A duration the way kubectl prints ages: ``45s``, ``3m20s``, ``5h``, ``2d3h``."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    total = int(seconds)
    if total < 120:
        return f"{total}s"
    minutes = total // 60
    if minutes < 10:
        rest = total % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = total // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def since(stamp: str | None, now: float) -> str:
    """How long before ``now`` the timestamp was, or ``<unknown>`` without one."""
    moment = parse_time(stamp)
    return "<unknown>" if moment is None else human_duration(now - moment)


def age(obj: dict[str, Any], now: float) -> str:
    """The AGE column: time since ``metadata.creationTimestamp``."""
    return since(obj.get("metadata", {}).get("creationTimestamp"), now)
