"""How the Docker Engine writes things: ids, sizes, durations, timestamps, progress bars.

Small pure helpers the sandbox's Docker face shares, each matching the Go code
the real daemon uses (``go-units`` for sizes and durations, ``jsonmessage`` for
progress bars), so the docker CLI prints the sandbox's answers as it prints a
real daemon's.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime


def digest(*parts: object) -> str:
    """A deterministic 64-hex-digit id derived from ``parts``."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def short(image_or_container_id: str) -> str:
    """The 12-character short form of an id, with or without ``sha256:``."""
    return image_or_container_id.removeprefix("sha256:")[:12]


def unit_fraction(*parts: object) -> float:
    """A deterministic number in [0, 1) derived from ``parts``."""
    return int(digest(*parts)[:12], 16) / float(1 << 48)


def human_size(size: float) -> str:
    """Decimal size with four significant digits, as ``go-units.HumanSize``:
    ``1.982MB``, ``512B``, ``12.3kB``."""
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    index = 0
    while size >= 1000 and index < len(units) - 1:
        size /= 1000.0
        index += 1
    return f"{size:.4g}{units[index]}"


def human_duration(seconds: float) -> str:
    """A duration as ``go-units.HumanDuration`` words it ("Less than a second",
    "About a minute", "3 hours", "2 weeks")."""
    whole = int(seconds)
    if whole < 1:
        return "Less than a second"
    if whole == 1:
        return "1 second"
    if whole < 60:
        return f"{whole} seconds"
    minutes = whole // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def rfc3339(timestamp: float | None) -> str:
    """Unix seconds as Docker's RFC 3339 with nanoseconds (``...T17:52:22.208848928Z``);
    None as Go's zero time."""
    if timestamp is None:
        return "0001-01-01T00:00:00Z"
    whole = math.floor(timestamp)
    nanos = round((timestamp - whole) * 1e9)
    if nanos >= 1_000_000_000:
        whole, nanos = whole + 1, 0
    moment = datetime.fromtimestamp(whole, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def progress_bar(current: int, total: int) -> str:
    """The progress text of a pull or push line (``jsonmessage.JSONProgress``):
    ``[=====>     ]  1.2MB/3.4MB`` with up to 50 ``=``."""
    filled = min(50, current * 100 // total // 2) if total > 0 else 0
    bar = "=" * filled + ">" + " " * (50 - filled)
    return f"[{bar}] {human_size(current):>8}/{human_size(total)}"


class EngineError(Exception):
    """A request the sandbox's Docker engine refuses: ``status`` is the HTTP status
    the face answers with, ``message`` the daemon's wording (``{"message": ...}``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
