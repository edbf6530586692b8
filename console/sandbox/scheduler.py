"""The sandbox's kube-scheduler: binds pending pods to nodes that can hold them.

Filters run in kube-scheduler's order and a node fails at the first one:
NodeUnschedulable (cordoned), TaintToleration (NoSchedule/NoExecute taints),
NodeAffinity (``nodeSelector`` and required node affinity), NodeResourcesFit
(cpu, memory, ``nvidia.com/*`` and pod slots against allocatable minus what is
already bound). Feasible nodes are scored by least-allocated share of what the
pod requests; like ``percentageOfNodesToScore``, a cluster over 100 nodes scores
only the first ``sample`` feasible nodes from a rotating start. A pod that fits
nowhere gets ``PodScheduled=False/Unschedulable`` with the scheduler's message
(``0/14 nodes are available: …``) and a FailedScheduling event, and is retried
when nodes change or capacity is freed. ``on_bind`` lets the node's kubelet add
its first status to the binding write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from console.sandbox.clock import iso
from console.sandbox.events import EventRecorder
from console.sandbox.objects import is_terminal, pod_requests, skipping_malformed
from console.sandbox.quantity import milli
from console.sandbox.store import Change, Manifest, ObjectStore

PodKey = tuple[str, str]


@dataclass(slots=True)
class NodeInfo:
    """What the scheduler needs of a node."""

    name: str
    labels: dict[str, str]
    taints: list[dict[str, Any]]
    unschedulable: bool
    allocatable: dict[str, int]
    used: dict[str, int]

    @classmethod
    def of(cls, node: Manifest, used: dict[str, int]) -> NodeInfo:
        """The scheduling view of a Node manifest, with ``used`` milli-units bound."""
        alloc = node.get("status", {}).get("allocatable", {})
        return cls(
            name=node["metadata"]["name"],
            labels=node["metadata"].get("labels", {}),
            taints=[t for t in node["spec"].get("taints", ())
                    if t.get("effect") != "PreferNoSchedule"],
            unschedulable=bool(node["spec"].get("unschedulable")),
            allocatable={k: milli(v) for k, v in alloc.items()},
            used=used,
        )


def _tolerates(tolerations: list[dict[str, Any]], taint: dict[str, Any]) -> bool:
    for tol in tolerations:
        if tol.get("effect") and tol["effect"] != taint.get("effect"):
            continue
        if tol.get("operator", "Equal") == "Exists":
            if not tol.get("key") or tol["key"] == taint["key"]:
                return True
        elif tol.get("key") == taint["key"] and tol.get("value", "") == taint.get("value", ""):
            return True
    return False


def _matches_term(labels: dict[str, str], term: dict[str, Any]) -> bool:
    for expr in term.get("matchExpressions", ()):
        key, op, values = expr["key"], expr["operator"], expr.get("values", ())
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }.get(op, False)
        if not ok:
            return False
    return True


def _affinity_ok(spec: Manifest, labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in spec.get("nodeSelector", {}).items()):
        return False
    required = (
        spec.get("affinity", {}).get("nodeAffinity", {})
        .get("requiredDuringSchedulingIgnoredDuringExecution")
    )
    if not required:
        return True
    return any(_matches_term(labels, t) for t in required.get("nodeSelectorTerms", ()))


def filter_node(node: NodeInfo, spec: Manifest, requests: dict[str, int]) -> list[str]:
    """Why ``node`` cannot take a pod (kube-scheduler's reason strings); empty if it can."""
    tolerations = spec.get("tolerations", [])
    if node.unschedulable and not _tolerates(
        tolerations, {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
    ):
        return ["node(s) were unschedulable"]
    for taint in node.taints:
        if not _tolerates(tolerations, taint):
            return [f"node(s) had untolerated taint {{{taint['key']}: {taint.get('value', '')}}}"]
    if not _affinity_ok(spec, node.labels):
        return ["node(s) didn't match Pod's node affinity/selector"]
    short = []
    for res, want in requests.items():
        if want and node.allocatable.get(res, 0) - node.used.get(res, 0) < want:
            short.append("Too many pods" if res == "pods" else f"Insufficient {res}")
    return short


def _score(node: NodeInfo, requests: dict[str, int]) -> float:
    shares = [
        (node.allocatable[r] - node.used.get(r, 0) - q) / node.allocatable[r]
        for r, q in requests.items()
        if r != "pods" and node.allocatable.get(r)
    ]
    return sum(shares) / len(shares) if shares else 1.0


class Scheduler:
    """Binds pods without ``spec.nodeName``; see the module docstring."""

    def __init__(
        self,
        store: ObjectStore,
        events: EventRecorder,
        now: Callable[[], float],
        *,
        on_bind: Callable[[Manifest], Manifest] = lambda pod: pod,
        sample: int = 16,
    ) -> None:
        self._store = store
        self._on_bind = on_bind
        self._events = events
        self._now = now
        self._sample = sample
        self._nodes: dict[str, NodeInfo] = {}
        self._order: list[str] = []
        self._used: dict[str, dict[str, int]] = {}
        self._placed: dict[PodKey, tuple[str, dict[str, int]]] = {}
        self._queue: set[PodKey] = set()
        self._waiting: set[PodKey] = set()
        self._start = 0

    @property
    def pending(self) -> bool:
        """Whether pods are queued for a scheduling attempt."""
        return bool(self._queue)

    def notice(self, kind: str, change: Change) -> None:
        """Track nodes, bound pods and pods waiting for a node."""
        if kind == "nodes":
            self._notice_node(change)
        elif kind == "pods":
            self._notice_pod(change)

    def _notice_node(self, change: Change) -> None:
        name = change.obj["metadata"]["name"]
        if change.type == "DELETED":
            self._nodes.pop(name, None)
        else:
            self._nodes[name] = NodeInfo.of(change.obj, self._used.setdefault(name, {}))
        self._order = sorted(self._nodes)
        self._retry_waiting()

    def _notice_pod(self, change: Change) -> None:
        pod = change.obj
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        node = pod["spec"].get("nodeName")
        if change.type == "DELETED" or is_terminal(pod):
            self._queue.discard(key)
            self._waiting.discard(key)
            if self._release(key):
                self._retry_waiting()
        elif node:
            self._queue.discard(key)
            self._waiting.discard(key)
            if key not in self._placed:
                self._place(key, node, pod_requests(pod["spec"]))
        elif key not in self._waiting:
            self._queue.add(key)

    def _place(self, key: PodKey, node: str, requests: dict[str, int]) -> None:
        self._placed[key] = (node, requests)
        used = self._used.setdefault(node, {})
        for res, qty in requests.items():
            used[res] = used.get(res, 0) + qty

    def _release(self, key: PodKey) -> bool:
        placed = self._placed.pop(key, None)
        if placed is None:
            return False
        used = self._used[placed[0]]
        for res, qty in placed[1].items():
            used[res] -= qty
        return True

    def _retry_waiting(self) -> None:
        self._queue |= self._waiting
        self._waiting.clear()

    def reconcile(self) -> None:
        """Try to bind every queued pod, in name order."""
        queue, self._queue = sorted(self._queue), set()
        for key in queue:
            pod = self._store.get("pods", *key)
            if pod is None or pod["spec"].get("nodeName") or is_terminal(pod):
                continue
            with skipping_malformed("pod", key):
                self._schedule(pod, key)

    def _schedule(self, pod: Manifest, key: PodKey) -> None:
        spec = pod["spec"]
        requests = pod_requests(spec)
        best: NodeInfo | None = None
        best_score = -1.0
        found = 0
        count = len(self._order)
        limit = count if count <= 100 else self._sample
        for i in range(count):
            node = self._nodes[self._order[(self._start + i) % count]]
            if filter_node(node, spec, requests):
                continue
            score = _score(node, requests)
            if score > best_score:
                best, best_score = node, score
            found += 1
            if found >= limit:
                break
        if best is None:
            self._waiting.add(key)
            self._unschedulable(pod, requests)
            return
        self._start = (self._start + 1) % max(count, 1)
        self._place(key, best.name, requests)
        self._bind(pod, best.name)

    def _bind(self, pod: Manifest, node: str) -> None:
        scheduled = {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                     "lastTransitionTime": iso(self._now())}
        status = {**pod.get("status", {}), "phase": "Pending", "conditions": [scheduled]}
        status.pop("message", None)
        bound = {**pod, "spec": {**pod["spec"], "nodeName": node}, "status": status}
        meta = pod["metadata"]
        self._events.record(
            pod, "Normal", "Scheduled",
            f"Successfully assigned {meta['namespace']}/{meta['name']} to {node}",
            component="default-scheduler",
        )
        self._store.update("pods", self._on_bind(bound))

    def _unschedulable(self, pod: Manifest, requests: dict[str, int]) -> None:
        message = self.explain(pod["spec"], requests)
        old = next((c for c in pod.get("status", {}).get("conditions", ())
                    if c.get("type") == "PodScheduled"), None)
        if old is None or old.get("message") != message:
            cond = {"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                    "lastTransitionTime": iso(self._now()), "reason": "Unschedulable",
                    "message": message}
            status = {**pod.get("status", {}), "phase": "Pending", "conditions": [cond]}
            self._store.update("pods", {**pod, "status": status})
        self._events.record(pod, "Warning", "FailedScheduling", message,
                            component="default-scheduler")

    def explain(self, spec: Manifest, requests: dict[str, int] | None = None) -> str:
        """The scheduler's message for a pod no node can take: each reason with
        the number of nodes it ruled out, sorted as kube-scheduler sorts them."""
        requests = requests if requests is not None else pod_requests(spec)
        counts: dict[str, int] = {}
        for name in self._order:
            for reason in filter_node(self._nodes[name], spec, requests):
                counts[reason] = counts.get(reason, 0) + 1
        reasons = sorted(f"{n} {reason}" for reason, n in counts.items())
        return f"0/{len(self._order)} nodes are available: {', '.join(reasons)}."
