"""A Deployment's ``status``, computed as the deployment controller computes it."""

from __future__ import annotations

from typing import Any

from console.sandbox.clock import iso, parse_iso
from console.sandbox.objects import condition
from console.sandbox.store import Manifest


def _count(rs: Manifest | None, field: str) -> int:
    return int(rs.get("status", {}).get(field, 0)) if rs else 0


def deployment_status(
    d: Manifest,
    new: Manifest | None,
    old: list[Manifest],
    max_unavailable: int,
    now: float,
    created: bool,
) -> tuple[dict[str, Any], float | None]:
    """``(status, recheck_at)``: the Deployment's new status, with replica counts
    summed over its ReplicaSets and the Available and Progressing conditions, and
    the simulated time at which the progress deadline would pass (None if the
    rollout is complete, paused or has no deadline)."""
    everyone = [rs for rs in (new, *old) if rs is not None]
    spec_total = sum(rs["spec"]["replicas"] for rs in everyone)
    replicas = d["spec"].get("replicas", 1)
    counts = {
        "observedGeneration": d["metadata"].get("generation", 1),
        "replicas": sum(_count(rs, "replicas") for rs in everyone),
        "updatedReplicas": _count(new, "replicas"),
        "readyReplicas": sum(_count(rs, "readyReplicas") for rs in everyone),
        "availableReplicas": sum(_count(rs, "availableReplicas") for rs in everyone),
        "unavailableReplicas": max(spec_total - sum(_count(rs, "availableReplicas")
                                                    for rs in everyone), 0),
    }
    old_status = d.get("status", {})
    status: dict[str, Any] = {k: v for k, v in counts.items() if v}
    if old_status.get("collisionCount"):
        status["collisionCount"] = old_status["collisionCount"]
    minimum = counts["availableReplicas"] >= replicas - max_unavailable
    available = _cond(
        d, "Available", now, "True" if minimum else "False",
        "MinimumReplicasAvailable" if minimum else "MinimumReplicasUnavailable",
        "Deployment has minimum availability." if minimum
        else "Deployment does not have minimum availability.",
    )
    progressing, deadline = _progressing(d, new, counts, now, created)
    status["conditions"] = [available, progressing]
    return status, deadline


def _progressing(
    d: Manifest, new: Manifest | None, counts: dict[str, int], now: float, created: bool
) -> tuple[dict[str, Any], float | None]:
    name = new["metadata"]["name"] if new else ""
    old = condition(d, "Progressing")
    if d["spec"].get("paused"):
        return _cond(d, "Progressing", now, "Unknown", "DeploymentPaused",
                     "Deployment is paused"), None
    replicas = d["spec"].get("replicas", 1)
    complete = (counts["updatedReplicas"] == replicas == counts["replicas"]
                == counts["availableReplicas"])
    if complete:
        return _cond(d, "Progressing", now, "True", "NewReplicaSetAvailable",
                     f'ReplicaSet "{name}" has successfully progressed.'), None
    if created:
        cond = _cond(d, "Progressing", now, "True", "NewReplicaSetCreated",
                     f'Created new replica set "{name}"', touch=True)
    elif old is None or old.get("reason") in ("DeploymentPaused", "NewReplicaSetAvailable") \
            or _advanced(d.get("status", {}), counts):
        cond = _cond(d, "Progressing", now, "True", "ReplicaSetUpdated",
                     f'ReplicaSet "{name}" is progressing.', touch=True)
    else:
        cond = dict(old)
    deadline_s = d["spec"].get("progressDeadlineSeconds", 600)
    if cond.get("reason") == "ProgressDeadlineExceeded":
        return cond, None
    due = parse_iso(cond["lastUpdateTime"]) + deadline_s
    if now >= due:
        return _cond(d, "Progressing", now, "False", "ProgressDeadlineExceeded",
                     f'ReplicaSet "{name}" has timed out progressing.', touch=True), None
    return cond, due


def _advanced(before: dict[str, Any], after: dict[str, int]) -> bool:
    """Whether the rollout moved forward (the controller's DeploymentProgressing)."""
    old_before = before.get("replicas", 0) - before.get("updatedReplicas", 0)
    old_after = after["replicas"] - after["updatedReplicas"]
    return bool(
        after["updatedReplicas"] > before.get("updatedReplicas", 0)
        or old_after < old_before
        or after["readyReplicas"] > before.get("readyReplicas", 0)
        or after["availableReplicas"] > before.get("availableReplicas", 0)
    )


def _cond(
    d: Manifest, type_: str, now: float, status: str, reason: str, message: str,
    *, touch: bool = False,
) -> dict[str, Any]:
    """The condition, keeping its times unless its status changed (or ``touch``
    asks for a new lastUpdateTime, as progress does)."""
    old = condition(d, type_) or {}
    stamp = iso(now)
    same_status = old.get("status") == status
    same = same_status and old.get("reason") == reason and old.get("message") == message
    return {
        "type": type_,
        "status": status,
        "lastUpdateTime": old["lastUpdateTime"] if same and not touch else stamp,
        "lastTransitionTime": old["lastTransitionTime"] if same_status else stamp,
        "reason": reason,
        "message": message,
    }
