"""What the Deployments table shows: its columns, their colours, its filter.

Plain functions of a ``Deployment`` (and, for the age, of a clock), so they can be
tested without a terminal and reused by any screen that lists deployments.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from console.humanize import age, short_images
from console.models import Deployment
from screens.widgets.columns import Column, Tone

STATUS_TONES: dict[str, Tone] = {
    "available": "ok",
    "progressing": "warning",
    "degraded": "error",
    "paused": "muted",
}


def ready_text(deployment: Deployment) -> str:
    """``ready/desired`` replicas, as kubectl's READY column prints them."""
    return f"{deployment.ready}/{deployment.replicas}"


def ready_tone(deployment: Deployment) -> Tone | None:
    """Warning when fewer replicas are ready than desired, none otherwise."""
    return "warning" if deployment.ready < deployment.replicas else None


def status_tone(deployment: Deployment) -> Tone:
    """The colour role of the deployment's status word."""
    return STATUS_TONES[deployment.status]


def deployment_columns(clock: Callable[[], datetime]) -> list[Column[Deployment]]:
    """The Deployments table's columns; ages are measured against ``clock()``."""
    return [
        Column("namespace", "NAMESPACE", lambda d: d.namespace, 9, flex=1, max_width=16),
        Column("name", "NAME", lambda d: d.name, 16, flex=3, max_width=40, cut="middle"),
        Column("ready", "READY", ready_text, 5, align="right", tone=ready_tone),
        Column(
            "updated", "UP-TO-DATE", lambda d: str(d.updated), 10, align="right", hide_below=100
        ),
        Column(
            "available", "AVAILABLE", lambda d: str(d.available), 9, align="right", hide_below=100
        ),
        Column("age", "AGE", lambda d: age(d.created, clock()), 5, align="right"),
        Column(
            "image",
            "IMAGE",
            lambda d: short_images(d.images),
            12,
            flex=2,
            max_width=48,
            cut="middle",
        ),
        Column("revision", "REV", lambda d: str(d.revision), 3, align="right"),
        Column("status", "STATUS", lambda d: d.status, 11, tone=status_tone),
    ]


def deployment_sort_key(deployment: Deployment) -> tuple[str, str]:
    """Default order: by namespace, then name."""
    return (deployment.namespace, deployment.name)


def deployment_filter(namespace: str, text: str) -> Callable[[Deployment], bool] | None:
    """A predicate keeping deployments in ``namespace`` ("" for any) whose namespace,
    name or an image contains ``text`` (case-insensitive); None when nothing narrows."""
    needle = text.strip().lower()
    if not namespace and not needle:
        return None

    def keep(deployment: Deployment) -> bool:
        if namespace and deployment.namespace != namespace:
            return False
        if not needle:
            return True
        haystack = (deployment.namespace, deployment.name, *deployment.images)
        return any(needle in part.lower() for part in haystack)

    return keep
