"""kube-state-metrics-style series, recorded as step functions of time.

Unlike the workload series these follow the API objects' state, which only the
store knows; so each series keeps the (time, value) points where its value
changed, recorded as the controllers commit changes.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from console.sandbox.objects import is_ready
from console.sandbox.promql import Labels, labels_of
from console.sandbox.quantity import milli
from console.sandbox.signals import SeriesGroup
from console.sandbox.store import Manifest

_PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")
#: Change points kept per series (older ones are folded into the first).
_MAX_CHANGES = 512


class StepSeries(SeriesGroup):
    """One series whose value holds from each change point to the next."""

    def __init__(self, labels: Labels, start: float, value: float) -> None:
        self.labels = (labels,)
        self.start = start
        self.times: list[float] = [start]
        self.points: list[float] = [value]

    def record(self, t: float, value: float) -> None:
        """Note that the value became ``value`` at ``t`` (ignored when unchanged)."""
        if value == self.points[-1]:
            return
        self.times.append(t)
        self.points.append(value)
        if len(self.times) > _MAX_CHANGES:
            # The first change folds into the start: its value is taken to have held since.
            del self.times[1]
            del self.points[0]

    def columns(self, wanted: Sequence[int], times: Sequence[float]) -> list[list[float]]:
        column = [self.points[max(0, bisect.bisect_right(self.times, t) - 1)] for t in times]
        return [column for _ in wanted]


def _unit(resource: str) -> str:
    if resource == "cpu":
        return "core"
    if resource in ("memory", "ephemeral-storage"):
        return "byte"
    return "integer"


def _quantity(resource: str, qty: str) -> float:
    return milli(qty) / 1000 if resource == "cpu" else float(-(-milli(qty) // 1000))


def pod_state(pod: Manifest) -> dict[Labels, float]:
    """The kube-state series of one pod and their current values."""
    meta, spec, status = pod["metadata"], pod["spec"], pod.get("status", {})
    ns, name = meta.get("namespace", ""), meta["name"]
    base = {"namespace": ns, "pod": name}
    owners = [r for r in meta.get("ownerReferences", ()) if r.get("controller")]
    owner: dict[str, str] = owners[0] if owners else {}
    out = {
        labels_of({"__name__": "kube_pod_info", **base, "node": spec.get("nodeName", ""),
                   "created_by_kind": owner.get("kind", ""),
                   "created_by_name": owner.get("name", "")}): 1.0,
        labels_of({"__name__": "kube_pod_status_ready", **base, "condition": "true"}):
            1.0 if is_ready(pod) else 0.0,
    }
    phase = status.get("phase", "Pending")
    for p in _PHASES:
        out[labels_of({"__name__": "kube_pod_status_phase", **base, "phase": p})] = float(
            p == phase)
    statuses = {s["name"]: s for s in status.get("containerStatuses", ())}
    for c in spec.get("containers", ()):
        cbase = {**base, "container": c["name"]}
        st = statuses.get(c["name"], {})
        out[labels_of({"__name__": "kube_pod_container_status_restarts_total", **cbase})] = float(
            st.get("restartCount", 0))
        waiting = st.get("state", {}).get("waiting", {}).get("reason", "")
        if waiting:
            out[labels_of({"__name__": "kube_pod_container_status_waiting_reason", **cbase,
                           "reason": waiting})] = 1.0
        requests = {**(c.get("resources", {}).get("limits") or {}),
                    **(c.get("resources", {}).get("requests") or {})}
        for resource, qty in requests.items():
            out[labels_of({"__name__": "kube_pod_container_resource_requests", **cbase,
                           "node": spec.get("nodeName", ""), "resource": resource,
                           "unit": _unit(resource)})] = _quantity(resource, str(qty))
    return out


def deployment_state(deployment: Manifest) -> dict[Labels, float]:
    """The kube-state series of one Deployment and their current values."""
    meta, status = deployment["metadata"], deployment.get("status", {})
    base = {"namespace": meta.get("namespace", ""), "deployment": meta["name"]}
    fields = {
        "kube_deployment_spec_replicas": deployment["spec"].get("replicas", 1),
        "kube_deployment_status_replicas": status.get("replicas", 0),
        "kube_deployment_status_replicas_available": status.get("availableReplicas", 0),
        "kube_deployment_status_replicas_updated": status.get("updatedReplicas", 0),
        "kube_deployment_status_replicas_unavailable": status.get("unavailableReplicas", 0),
        "kube_deployment_status_observed_generation": status.get("observedGeneration", 0),
        "kube_deployment_metadata_generation": meta.get("generation", 0),
    }
    return {labels_of({"__name__": k, **base}): float(v) for k, v in fields.items()}


def node_state(node: Manifest) -> dict[Labels, float]:
    """The kube-state series of one Node and their current values."""
    meta, status = node["metadata"], node.get("status", {})
    name = meta["name"]
    ready = next((c.get("status") for c in status.get("conditions", ())
                  if c.get("type") == "Ready"), "Unknown")
    out = {
        labels_of({"__name__": "kube_node_spec_unschedulable", "node": name}):
            float(bool(node.get("spec", {}).get("unschedulable"))),
    }
    for s in ("true", "false", "unknown"):
        out[labels_of({"__name__": "kube_node_status_condition", "node": name,
                       "condition": "Ready", "status": s})] = float(str(ready).lower() == s)
    for resource, qty in status.get("allocatable", {}).items():
        out[labels_of({"__name__": "kube_node_status_allocatable", "node": name,
                       "resource": resource, "unit": _unit(resource)})] = _quantity(
            resource, str(qty))
    return out


STATE_OF = {"pods": pod_state, "deployments": deployment_state, "nodes": node_state}
