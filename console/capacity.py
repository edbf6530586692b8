"""How much of each node its pods have asked for: CPU, memory, GPUs and pod count.

The arithmetic of ``kubectl describe node``'s "Allocated resources": a pod's
effective request of a resource is the larger of its containers' sum and its
largest init container (a container that sets only a limit requests that limit,
as the API defaults it), and a node's usage is the sum over the pods bound to it
that have not terminated (phase Succeeded or Failed). GPU-like resources are the
``nvidia.com/*`` extended resources: full GPUs, time-sliced ``gpu.shared``
replicas and MIG profiles, each counted on its own.

``NodeUsageIndex`` keeps those sums current from a pod store's change sets and
says which nodes a change touched, so a table repaints only their rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from adapters.kube_quantity import quantity_millis, quantity_value
from console.models import ContainerState, Node, Pod
from console.state import ChangeSet

__all__ = [
    "Allocation",
    "NodeAllocation",
    "NodeUsageIndex",
    "Usage",
    "allocation",
    "is_terminated",
    "pod_usage",
    "usage_by_node",
]

GPU_PREFIX = "nvidia.com/"
#: Pod phases whose pods no longer hold their requests.
TERMINATED_PHASES = frozenset({"Succeeded", "Failed"})


@dataclass(frozen=True, slots=True)
class Usage:
    """What some pods request: CPU in millicores, memory in bytes, each
    ``nvidia.com/*`` resource as a count, and how many pods they are."""

    cpu_millis: int = 0
    memory_bytes: int = 0
    gpus: Mapping[str, int] = field(default_factory=dict)
    pods: int = 0

    def __add__(self, other: Usage) -> Usage:
        gpus = dict(self.gpus)
        for resource, count in other.gpus.items():
            gpus[resource] = gpus.get(resource, 0) + count
        return Usage(
            self.cpu_millis + other.cpu_millis,
            self.memory_bytes + other.memory_bytes,
            gpus,
            self.pods + other.pods,
        )


@dataclass(frozen=True, slots=True)
class Allocation:
    """``requested`` of ``resource`` against the node's ``allocatable`` (same unit)."""

    resource: str
    requested: int
    allocatable: int


@dataclass(frozen=True, slots=True)
class NodeAllocation:
    """A node with what its non-terminated pods request of it."""

    node: Node
    cpu: Allocation
    memory: Allocation
    #: One entry per GPU resource the node offers or its pods request: plain
    #: ``nvidia.com/gpu`` first, then ``gpu.shared``, then MIG profiles by name.
    gpus: tuple[Allocation, ...]
    pods: int

    @property
    def key(self) -> str:
        """The node's name: the row's stable id."""
        return self.node.name


def is_terminated(pod: Pod) -> bool:
    """Whether ``pod`` has finished (Succeeded or Failed) and so holds no resources."""
    return pod.phase in TERMINATED_PHASES


def pod_usage(pod: Pod) -> Usage:
    """``pod``'s effective requests (one pod). Ignores pod overhead and treats every
    init container as running before the app containers (no restartable sidecars):
    the models do not carry either. Malformed quantities count as 0."""
    app = _containers_usage(pod.containers, combine=sum)
    init = _containers_usage(pod.init_containers, combine=max)
    resources = app.keys() | init.keys()
    effective = {r: max(app.get(r, 0), init.get(r, 0)) for r in resources}
    gpus = {r: n for r, n in sorted(effective.items()) if r.startswith(GPU_PREFIX) and n}
    return Usage(effective.get("cpu", 0), effective.get("memory", 0), gpus, pods=1)


def usage_by_node(pods: Iterable[Pod]) -> dict[str, Usage]:
    """The summed usage of the non-terminated, scheduled ``pods``, by node name."""
    totals: dict[str, Usage] = {}
    for pod in pods:
        if pod.node and not is_terminated(pod):
            totals[pod.node] = totals.get(pod.node, Usage()) + pod_usage(pod)
    return totals


def allocation(node: Node, usage: Usage) -> NodeAllocation:
    """``node``'s allocatable set against ``usage`` (what its pods request). A GPU
    resource appears when the node offers some of it or a pod requests it (so a
    0-count ``nvidia.com/gpu`` on a MIG node is left out)."""
    offered = {r for r, n in node.gpu_resources.items() if n}
    requested = {r for r, n in usage.gpus.items() if n}
    gpus = tuple(
        Allocation(r, usage.gpus.get(r, 0), node.gpu_resources.get(r, 0))
        for r in sorted(offered | requested, key=_gpu_order)
    )
    return NodeAllocation(
        node=node,
        cpu=Allocation("cpu", usage.cpu_millis, node.cpu_millis),
        memory=Allocation("memory", usage.memory_bytes, node.memory_bytes),
        gpus=gpus,
        pods=usage.pods,
    )


class NodeUsageIndex:
    """Per-node usage kept current from a pod store's ``ChangeSet``s."""

    def __init__(self) -> None:
        #: Each counted pod's node and usage, by pod key.
        self._pods: dict[str, tuple[str, Usage]] = {}
        #: Keys of the counted pods on each node.
        self._on_node: dict[str, set[str]] = {}
        self._totals: dict[str, Usage] = {}

    def apply(self, changes: ChangeSet[Pod]) -> set[str]:
        """Fold in a pod store's changes; returns the names of the nodes whose usage
        changed (a pod's status changing alone changes none)."""
        touched: set[str] = set()
        if changes.reset:
            touched.update(self._on_node)
            self._pods.clear()
            self._on_node.clear()
            self._totals.clear()
        for key in changes.deleted:
            touched.update(self._forget(key))
        for key, pod in changes.upserted.items():
            entry = (pod.node, pod_usage(pod)) if pod.node and not is_terminated(pod) else None
            if entry is not None and self._pods.get(key) == entry:
                continue
            touched.update(self._forget(key))
            if entry is not None:
                self._pods[key] = entry
                self._on_node.setdefault(entry[0], set()).add(key)
                self._totals.pop(entry[0], None)
                touched.add(entry[0])
        return touched

    def usage(self, node: str) -> Usage:
        """The summed usage of the counted pods on ``node`` (empty for none)."""
        total = self._totals.get(node)
        if total is None:
            total = Usage()
            for key in self._on_node.get(node, ()):
                total += self._pods[key][1]
            self._totals[node] = total
        return total

    def _forget(self, key: str) -> tuple[str, ...]:
        """Stop counting pod ``key``; returns the node it was counted on, if any."""
        entry = self._pods.pop(key, None)
        if entry is None:
            return ()
        node = entry[0]
        keys = self._on_node[node]
        keys.discard(key)
        if not keys:
            del self._on_node[node]
        self._totals.pop(node, None)
        return (node,)


def _containers_usage(
    containers: Iterable[ContainerState], *, combine: Callable[[list[int]], int]
) -> dict[str, int]:
    """Each resource's request over ``containers``, combined with ``sum`` or ``max``."""
    per_resource: dict[str, list[int]] = {}
    for container in containers:
        for resource, quantity in {**container.limits, **container.requests}.items():
            per_resource.setdefault(resource, []).append(_amount(resource, quantity))
    return {r: combine(amounts) for r, amounts in per_resource.items()}


def _amount(resource: str, quantity: str) -> int:
    """``quantity`` in the unit the console counts ``resource`` in: millicores for
    CPU, whole units (bytes, devices) for everything else."""
    return _millis(quantity) if resource == "cpu" else _value(quantity)


@lru_cache(maxsize=4096)
def _millis(quantity: str) -> int:
    try:
        return quantity_millis(quantity)
    except ValueError:
        return 0


@lru_cache(maxsize=4096)
def _value(quantity: str) -> int:
    try:
        return quantity_value(quantity)
    except ValueError:
        return 0


def _gpu_order(resource: str) -> tuple[int, str]:
    """Plain GPUs, then shared replicas, then everything else (MIG profiles) by name."""
    rank = {"nvidia.com/gpu": 0, "nvidia.com/gpu.shared": 1}.get(resource, 2)
    return (rank, resource)
