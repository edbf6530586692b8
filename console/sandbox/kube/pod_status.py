"""The pod row kubectl prints: READY, STATUS, RESTARTS as the real printer computes them.

STATUS is the pod's reason or phase, overridden by an init container still
running or failing (``Init:0/1``, ``Init:Error``), then by a waiting or terminated
container's reason (``CrashLoopBackOff``, ``OOMKilled``, ``ContainerCreating``),
then by ``Terminating`` for a pod being deleted.
"""

from __future__ import annotations

from typing import Any

from console.sandbox.kube.humanize import age, human_duration, parse_time

Manifest = dict[str, Any]


def _init_reason(status: Manifest, spec: Manifest) -> str | None:
    total = len(spec.get("initContainers") or [])
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        state = cs.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if terminated is not None:
            reason = terminated.get("reason")
            if reason:
                return f"Init:{reason}"
            if terminated.get("signal"):
                return f"Init:Signal:{terminated['signal']}"
            return f"Init:ExitCode:{terminated.get('exitCode', 0)}"
        if waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            return f"Init:{waiting['reason']}"
        return f"Init:{i}/{total}"
    return None


def _container_reason(cs: Manifest) -> str | None:
    state = cs.get("state") or {}
    waiting, terminated = state.get("waiting"), state.get("terminated")
    if waiting is not None and waiting.get("reason"):
        return str(waiting["reason"])
    if terminated is not None:
        if terminated.get("reason"):
            return str(terminated["reason"])
        if terminated.get("signal"):
            return f"Signal:{terminated['signal']}"
        return f"ExitCode:{terminated.get('exitCode', 0)}"
    return None


def pod_cells(pod: Manifest, now: float) -> list[Any]:
    """The cells of one pod row: name, ready, status, restarts, age, IP, node,
    nominated node, readiness gates."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Pending"
    restarts, ready, last_restart = 0, 0, 0.0
    init_reason = _init_reason(status, spec)
    if init_reason is not None:
        reason = init_reason
        restarts = sum(int(cs.get("restartCount", 0))
                       for cs in status.get("initContainerStatuses") or [])
    else:
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount", 0))
            finished = parse_time(((cs.get("lastState") or {}).get("terminated") or {})
                                  .get("finishedAt"))
            last_restart = max(last_restart, finished or 0.0)
            container_reason = _container_reason(cs)
            if container_reason is not None:
                reason = container_reason
            elif cs.get("ready") and "running" in (cs.get("state") or {}):
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            conditions = status.get("conditions") or []
            ready_cond = any(c.get("type") == "Ready" and c.get("status") == "True"
                             for c in conditions)
            reason = "Running" if ready_cond else "NotReady"
    if pod["metadata"].get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif status.get("phase") not in ("Succeeded", "Failed"):
            reason = "Terminating"
    shown_restarts = str(restarts)
    if restarts and last_restart:
        shown_restarts = f"{restarts} ({human_duration(now - last_restart)} ago)"
    ips = status.get("podIPs") or ([{"ip": status["podIP"]}] if status.get("podIP") else [])
    gates = spec.get("readinessGates") or []
    return [
        pod["metadata"]["name"],
        f"{ready}/{len(spec.get('containers') or [])}",
        reason,
        shown_restarts,
        age(pod, now),
        (ips[0].get("ip") if ips else None) or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        f"0/{len(gates)}" if gates else "<none>",
    ]
