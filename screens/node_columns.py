"""What the Nodes table shows: its columns, their colours, its filter.

Plain functions of a ``NodeAllocation`` (a node and what its pods request of it)
and, for the age, of a clock, testable without a terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from console.capacity import Allocation, NodeAllocation
from console.humanize import age
from console.models import Node, Taint
from screens.widgets.columns import Column, Tone

#: Vendor words that GPU feature discovery puts before the model in
#: ``nvidia.com/gpu.product`` ("NVIDIA-GeForce-RTX-3090", "Tesla-T4").
_VENDOR_WORDS = frozenset({"NVIDIA", "Tesla", "GeForce", "Quadro"})
#: Model families named by two words ("RTX-A6000", "RTX-4090").
_FAMILY_WORDS = frozenset({"RTX", "GTX", "TITAN"})
_MODE_LABELS = {"full": "full", "mig": "MIG", "shared": "shared"}
_GIB = 2**30


def node_status(node: Node) -> str:
    """The status kubectl prints: "Ready", "NotReady", "Ready,SchedulingDisabled"."""
    status = "Ready" if node.ready else "NotReady"
    return f"{status},SchedulingDisabled" if node.unschedulable else status


def status_tone(row: NodeAllocation) -> Tone:
    """Error for a node that is not ready, warning for a cordoned one, else ok."""
    if not row.node.ready:
        return "error"
    return "warning" if row.node.unschedulable else "ok"


def roles_text(node: Node) -> str:
    """The node's roles joined by commas, or "<none>" as kubectl prints it."""
    return ",".join(node.roles) or "<none>"


def gpu_product_short(product: str) -> str:
    """The model in a ``gpu.product`` label: "NVIDIA-H100-80GB-HBM3" -> "H100",
    "NVIDIA-A10G-SHARED" -> "A10G", "NVIDIA-GeForce-RTX-3090" -> "RTX-3090"."""
    words = [w for w in product.split("-") if w]
    while len(words) > 1 and words[0] in _VENDOR_WORDS:
        words.pop(0)
    if not words:
        return ""
    if words[0] in _FAMILY_WORDS and len(words) > 1:
        return f"{words[0]}-{words[1]}"
    return words[0]


def gpu_text(node: Node) -> str:
    """The GPU model and how it is offered: "H100 full", "A100 MIG", "A10G shared";
    "-" for a node without GPUs."""
    if node.gpu_mode == "none":
        return "-"
    product = gpu_product_short(node.gpu_product)
    mode = _MODE_LABELS[node.gpu_mode]
    return f"{product} {mode}" if product else mode


def gpu_alloc_text(row: NodeAllocation) -> str:
    """Requested/allocatable per GPU resource: "6/8" for one kind; labelled when a
    node offers several ("1g:2/28 3g:1/8", with the full MIG profile where the
    short one is ambiguous); "-" for a node without GPUs."""
    if not row.gpus:
        return "-"
    if len(row.gpus) == 1:
        return _ratio(row.gpus[0])
    labels = _gpu_labels([a.resource for a in row.gpus])
    return " ".join(f"{label}:{_ratio(a)}" for label, a in zip(labels, row.gpus, strict=True))


def gpu_alloc_tone(row: NodeAllocation) -> Tone | None:
    """Error when pods request more of a GPU resource than the node offers, muted
    for a node without GPUs."""
    if not row.gpus:
        return "muted"
    return "error" if any(a.requested > a.allocatable for a in row.gpus) else None


def cpu_text(row: NodeAllocation) -> str:
    """CPU cores requested/allocatable: "32/192", "0.5/7.5"."""
    return f"{_number(row.cpu.requested / 1000)}/{_number(row.cpu.allocatable / 1000)}"


def memory_text(row: NodeAllocation) -> str:
    """Memory requested/allocatable in GiB (the column's unit): "48.1/1151",
    "0.12/767"."""
    return f"{_number(row.memory.requested / _GIB)}/{_number(row.memory.allocatable / _GIB)}"


def taints_text(node: Node) -> str:
    """The taints, short: the key's last path segment and the effect
    ("gpu:NoSchedule,unschedulable:NoSchedule"); "" for none."""
    return ",".join(_taint_text(t) for t in node.taints)


def node_columns(clock: Callable[[], datetime]) -> list[Column[NodeAllocation]]:
    """The Nodes table's columns; ages are measured against ``clock()``. Narrower
    tables leave out TAINTS (below 140 columns), ROLES (110) and AGE (100), so that
    at 80 columns the status and the allocation columns keep their room."""
    return [
        Column("name", "NAME", lambda r: r.node.name, 12, flex=1, max_width=40, cut="middle"),
        Column("status", "STATUS", lambda r: node_status(r.node), 8, flex=2, max_width=24,
               tone=status_tone),
        Column("roles", "ROLES", lambda r: roles_text(r.node), 6, flex=1, max_width=20,
               hide_below=110),
        Column("gpu", "GPU", lambda r: gpu_text(r.node), 11, flex=1, max_width=16),
        Column("gpu_alloc", "GPU ALLOC", gpu_alloc_text, 9, flex=3, max_width=28,
               tone=gpu_alloc_tone),
        Column("cpu", "CPU", cpu_text, 9, align="right"),
        Column("memory", "MEM GiB", memory_text, 9, align="right"),
        Column("pods", "PODS", lambda r: str(r.pods), 4, align="right"),
        Column("age", "AGE", lambda r: age(r.node.created, clock()), 5, align="right",
               hide_below=100),
        Column("taints", "TAINTS", lambda r: taints_text(r.node), 6, flex=1, max_width=48,
               hide_below=140),
    ]  # fmt: skip


def node_sort_key(row: NodeAllocation) -> str:
    """Default order: by name, as kubectl lists nodes."""
    return row.node.name


def node_filter(text: str) -> Callable[[NodeAllocation], bool] | None:
    """A predicate keeping nodes whose name, status, roles or GPU contains ``text``
    (case-insensitive); None when nothing narrows."""
    needle = text.strip().lower()
    if not needle:
        return None

    def keep(row: NodeAllocation) -> bool:
        node = row.node
        haystack = (node.name, node_status(node), roles_text(node), gpu_text(node),
                    node.gpu_product)  # fmt: skip
        return any(needle in part.lower() for part in haystack)

    return keep


def _ratio(allocation: Allocation) -> str:
    return f"{allocation.requested}/{allocation.allocatable}"


def _gpu_labels(resources: list[str]) -> list[str]:
    """Short names of GPU resources: "gpu", "shared", a MIG profile's slice ("1g")
    unless two profiles share it, then the whole profile ("1g.20gb")."""
    names = [r.removeprefix("nvidia.com/").removeprefix("mig-") for r in resources]
    names = ["shared" if n == "gpu.shared" else n for n in names]
    slices = [n.split(".", 1)[0] for n in names]
    return [s if slices.count(s) == 1 else n for s, n in zip(slices, names, strict=True)]


def _number(value: float) -> str:
    """``value`` short: whole from 100 up, one decimal from 10, two below, with
    trailing zeros dropped ("192", "45.5", "0.25", "0")."""
    digits = 0 if value >= 100 else 1 if value >= 10 else 2
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _taint_text(taint: Taint) -> str:
    return f"{taint.key.rsplit('/', 1)[-1]}:{taint.effect}"
