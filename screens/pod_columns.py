"""What the Pods table shows: its columns, the status that matters, its filter.

Plain functions of a ``Pod`` (and, for the age, of a clock), testable without a
terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from console.humanize import age
from console.models import Pod
from screens.widgets.columns import Column, Tone

_ERROR_REASONS = frozenset(
    {
        "CrashLoopBackOff",
        "OOMKilled",
        "Error",
        "ImagePullBackOff",
        "ErrImagePull",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
        "ContainerStatusUnknown",
        "Evicted",
    }
)
_DONE_STATUSES = frozenset({"Succeeded", "Completed"})


def pod_status(pod: Pod) -> str:
    """The status kubectl prints, with what explains it: the last termination reason
    of a crash-looping container ("CrashLoopBackOff (OOMKilled)") and the
    scheduler's message of an unschedulable pod ("Pending: 0/8 nodes are …")."""
    status = pod.status
    if status == "CrashLoopBackOff":
        last = [c.last_terminated_reason for c in pod.containers if c.last_terminated_reason]
        return f"{status} ({last[0]})" if last else status
    if status == "Pending" and pod.scheduling_message:
        return f"Pending: {pod.scheduling_message}"
    return status


def status_tone(pod: Pod) -> Tone:
    """Error for a failing pod, ok for a finished one or a running one with every
    container ready, warning for everything on its way (Pending, ContainerCreating,
    Terminating, not ready)."""
    status = pod.status
    if status.removeprefix("Init:") in _ERROR_REASONS:
        return "error"
    if status in _DONE_STATUSES or (status == "Running" and pod.ready_count == len(pod.containers)):
        return "ok"
    return "warning"


def ready_text(pod: Pod) -> str:
    """``ready/total`` containers, as kubectl's READY column prints them."""
    return f"{pod.ready_count}/{len(pod.containers)}"


def gpu_text(pod: Pod) -> str:
    """The GPUs requested: "2", "1 mig-1g.10gb", "1 shared"; "" for none."""
    parts = []
    for resource, count in sorted(pod.gpu_request.items()):
        kind = resource.removeprefix("nvidia.com/")
        label = "" if kind == "gpu" else f" {kind.removeprefix('gpu.')}"
        parts.append(f"{count}{label}")
    return ", ".join(parts)


def pod_detail(pod: Pod) -> list[str]:
    """What the line under the Pods table says of ``pod`` — everything a narrow
    table cuts: its full name and status (the scheduler's whole message, the last
    termination reason), where it runs, its QoS and GPUs, and each container that is
    not ready with its state and reason."""
    lines = [f"{pod.namespace}/{pod.name} · {pod_status(pod)}"]
    where = f"node {pod.node}" if pod.node else "not scheduled"
    ip = f" · IP {pod.pod_ip}" if pod.pod_ip else ""
    lines.append(f"{where} · QoS {pod.qos_class or '-'} · GPU {gpu_text(pod) or 'none'} · "
                 f"restarts {pod.restarts}{ip}")
    for c in pod.containers:
        if c.ready:
            continue
        reason = f" {c.reason}" if c.reason else ""
        last = f" (last exit: {c.last_terminated_reason})" if c.last_terminated_reason else ""
        message = f" — {c.message}" if c.message else ""  # the longest part goes last
        lines.append(f"{c.name}: {c.state}{reason}{last}{message}")
    return lines


def restarts_tone(pod: Pod) -> Tone | None:
    return "warning" if pod.restarts else None


def pod_columns(clock: Callable[[], datetime], *, namespaces: bool) -> list[Column[Pod]]:
    """The Pods table's columns (with a NAMESPACE column when ``namespaces``); ages
    are measured against ``clock()``."""
    columns: list[Column[Pod]] = [
        Column("name", "NAME", lambda p: p.name, 16, flex=3, max_width=48, cut="middle"),
        Column("ready", "READY", ready_text, 5, align="right"),
        Column("status", "STATUS", pod_status, 16, flex=2, tone=status_tone),
        Column("restarts", "RST", lambda p: str(p.restarts), 3, align="right",
               tone=restarts_tone),
        Column("node", "NODE", lambda p: p.node or "-", 8, flex=1, max_width=24, cut="middle"),
        Column("qos", "QOS", lambda p: p.qos_class, 10),
        Column("gpu", "GPU", gpu_text, 3, max_width=16, flex=1),
        Column("age", "AGE", lambda p: age(p.created, clock()), 5, align="right"),
    ]  # fmt: skip
    if namespaces:
        columns.insert(0, Column("namespace", "NAMESPACE", lambda p: p.namespace, 9, flex=1,
                                 max_width=18))  # fmt: skip
    return columns


def pod_sort_key(pod: Pod) -> tuple[str, str]:
    """Default order: by namespace, then name."""
    return (pod.namespace, pod.name)


def pods_filter(
    owner: str | None, namespace: str, text: str, *, node: str | None = None
) -> Callable[[Pod], bool] | None:
    """A predicate keeping the pods of ``owner`` (a Deployment name, matched through
    its ReplicaSets' ``<deployment>-<hash>`` names; None for every pod) in
    ``namespace`` ("" for any), on ``node`` (None for any), whose name, node, status
    or image contains ``text`` (case-insensitive). None when nothing narrows."""
    needle = text.strip().lower()
    if owner is None and not namespace and node is None and not needle:
        return None

    def keep(pod: Pod) -> bool:
        if namespace and pod.namespace != namespace:
            return False
        if node is not None and pod.node != node:
            return False
        if owner is not None and not owned_by_deployment(pod, owner):
            return False
        if not needle:
            return True
        haystack = (pod.name, pod.node, pod.status, *(c.image for c in pod.containers))
        return any(needle in part.lower() for part in haystack)

    return keep


def owned_by_deployment(pod: Pod, deployment: str) -> bool:
    """Whether ``pod`` belongs to ``deployment``: its owner is a ReplicaSet named
    ``<deployment>-<pod-template-hash>``."""
    if pod.owner_kind != "ReplicaSet":
        return False
    base, _, template_hash = pod.owner_name.rpartition("-")
    return base == deployment and template_hash == pod.labels.get(
        "pod-template-hash", template_hash
    )
