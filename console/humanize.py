"""Short, human text for table cells: ages the way kubectl prints them, short image names.

Pure functions, no Textual: screens call them to fill cells, tests call them directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


def human_duration(seconds: float) -> str:
    """``seconds`` as kubectl's ``HumanDuration`` prints it: ``45s``, ``2m30s``,
    ``5m``, ``3h20m``, ``20h``, ``4d6h``, ``30d``, ``3y20d``, ``9y``.

    Precision falls as the duration grows, so a long-lived object's age text changes
    rarely. Negative durations (clock skew) print as ``0s``.
    """
    secs = max(0, int(seconds))
    minutes, hours, days = secs // 60, secs // 3600, secs // 86400
    if secs < 120:
        return f"{secs}s"
    if minutes < 10:
        rest = secs % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{days}d{rest}h" if rest else f"{days}d"
    if hours < 24 * 365 * 2:
        return f"{days}d"
    years, rest = divmod(days, 365)
    if hours < 24 * 365 * 8:
        return f"{years}y{rest}d" if rest else f"{years}y"
    return f"{years}y"


def age(created: datetime | None, now: datetime) -> str:
    """The age of an object created at ``created`` as seen at ``now`` (both aware),
    in ``human_duration`` form; ``<unknown>`` when the creation time is missing."""
    if created is None:
        return "<unknown>"
    return human_duration((now - created).total_seconds())


def short_image(reference: str) -> str:
    """An image reference without its registry and repository path, and with a digest
    cut to 7 hex digits: ``ghcr.io/acme/vllm-openai:v0.6.3`` -> ``vllm-openai:v0.6.3``,
    ``busybox@sha256:4be4…`` -> ``busybox@4be4a1b``."""
    name, _, digest = reference.partition("@")
    short = name.rsplit("/", 1)[-1]
    if digest:
        short += "@" + digest.removeprefix("sha256:")[:7]
    return short


def short_images(references: Sequence[str]) -> str:
    """The first image in ``short_image`` form, followed by ``+N`` when a pod template
    runs N more containers; empty for no images."""
    if not references:
        return ""
    extra = len(references) - 1
    return short_image(references[0]) + (f" +{extra}" if extra else "")
