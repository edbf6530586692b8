"""A pod's Quality of Service class, by the kubelet's own rules.

Only ``cpu`` and ``memory`` count (``nvidia.com/gpu`` and other extended
resources do not), requests that are missing default to the limit (as the API
server defaults them), and init containers count like app containers:

- **BestEffort**: no container has a non-zero cpu or memory request or limit.
- **Guaranteed**: every container has cpu and memory limits, and for each of
  cpu and memory the pod's summed requests equal its summed limits.
- **Burstable**: anything else.
"""

from __future__ import annotations

from typing import Any, Literal

from console.sandbox.quantity import milli

QosClass = Literal["Guaranteed", "Burstable", "BestEffort"]

_QOS_RESOURCES = ("cpu", "memory")


def qos_class(pod_spec: dict[str, Any]) -> QosClass:
    """The QoS class of a pod with spec ``pod_spec`` (the ``spec`` of a core/v1
    Pod or a pod template). Raises ``ValueError`` for a malformed quantity."""
    requests: dict[str, int] = {}
    limits: dict[str, int] = {}
    guaranteed = True
    containers = [*pod_spec.get("initContainers", ()), *pod_spec.get("containers", ())]
    for container in containers:
        resources = container.get("resources") or {}
        declared_limits = resources.get("limits") or {}
        declared_requests = {**declared_limits, **(resources.get("requests") or {})}
        limits_found = set()
        for name in _QOS_RESOURCES:
            req = milli(declared_requests[name]) if name in declared_requests else 0
            if req > 0:
                requests[name] = requests.get(name, 0) + req
            lim = milli(declared_limits[name]) if name in declared_limits else 0
            if lim > 0:
                limits_found.add(name)
                limits[name] = limits.get(name, 0) + lim
        if limits_found != set(_QOS_RESOURCES):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and requests == limits:
        return "Guaranteed"
    return "Burstable"
