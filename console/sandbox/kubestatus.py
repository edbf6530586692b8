"""The kubelet's picture of a running pod, and the core/v1 PodStatus it writes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from console.sandbox.catalog import ImageProfile
from console.sandbox.clock import iso
from console.sandbox.qos import qos_class
from console.sandbox.store import Manifest

#: A container that ran this long before dying starts its back-off afresh.
BACKOFF_RESET_S = 600.0


def normalise_image(image: str) -> str:
    """The image as the container runtime reports it (``docker.io/library/…`` filled in)."""
    first = image.split("/", 1)[0]
    if "/" not in image:
        return f"docker.io/library/{image}"
    if "." not in first and ":" not in first and first != "localhost":
        return f"docker.io/{image}"
    return image


@dataclass(slots=True)
class RunningContainer:
    """One container of a pod as the kubelet runs it."""

    name: str
    image: str
    profile: ImageProfile
    model: str
    state: Literal["waiting", "running", "terminated"] = "waiting"
    reason: str = "ContainerCreating"
    message: str = ""
    ready: bool = False
    restarts: int = 0
    crashes: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int = 0
    container_id: str = ""
    last_terminated: dict[str, Any] | None = None

    def begin(self, now: float, digest: str) -> None:
        """A new instance of the container is running (not yet ready)."""
        self.state, self.reason, self.message = "running", "", ""
        self.started_at, self.finished_at, self.ready = now, None, False
        self.container_id = f"containerd://{digest}"

    def terminate(self, now: float, *, exit_code: int, reason: str) -> None:
        """The running instance exited."""
        if self.started_at is not None and now - self.started_at >= BACKOFF_RESET_S:
            self.crashes = 0
        self.crashes += 1
        self.state, self.reason, self.ready = "terminated", reason, False
        self.finished_at, self.exit_code = now, exit_code

    def back_off(self, delay: float, pod_ref: str) -> None:
        """The dead instance becomes ``lastState``; wait ``delay`` s in CrashLoopBackOff."""
        self.last_terminated = self._terminated()
        self.restarts += 1
        self.state, self.reason = "waiting", "CrashLoopBackOff"
        self.message = (
            f"back-off {_duration(delay)} restarting failed container={self.name} pod={pod_ref}"
        )

    def _terminated(self) -> dict[str, Any]:
        return {
            "exitCode": self.exit_code,
            "reason": self.reason,
            "startedAt": self._iso(self.started_at),
            "finishedAt": self._iso(self.finished_at),
            "containerID": self.container_id,
        }

    @staticmethod
    def _iso(t: float | None) -> str | None:
        return iso(t) if t is not None else None

    def status(self) -> dict[str, Any]:
        """This container's entry in ``status.containerStatuses``."""
        if self.state == "running":
            state: dict[str, Any] = {"running": {"startedAt": iso(self.started_at or 0.0)}}
        elif self.state == "terminated":
            state = {"terminated": self._terminated()}
        else:
            waiting = {"reason": self.reason, **({"message": self.message} if self.message else {})}
            state = {"waiting": waiting}
        image = normalise_image(self.image)
        out: dict[str, Any] = {
            "name": self.name,
            "state": state,
            "lastState": {"terminated": self.last_terminated} if self.last_terminated else {},
            "ready": self.ready,
            "restartCount": self.restarts,
            "image": image,
            "imageID": "",
            "started": self.state == "running",
        }
        if self.container_id:
            repo = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
            out["imageID"] = f"{repo}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"
            out["containerID"] = self.container_id
        return out


def _duration(seconds: float) -> str:
    """Go's duration format for whole seconds: ``10s``, ``1m20s``, ``5m0s``."""
    s = int(seconds)
    return f"{s // 60}m{s % 60}s" if s >= 60 else f"{s}s"


@dataclass(slots=True)
class PodRun:
    """The kubelet's state of one admitted pod."""

    uid: str
    node: str
    host_ip: str
    pod_ip: str
    start_time: float
    restart_policy: str
    containers: list[RunningContainer]
    #: condition type -> (status, lastTransitionTime)
    transitions: dict[str, tuple[str, float]] = field(default_factory=dict)

    def phase(self) -> str:
        """Pending until every container has run once; Failed/Succeeded when a
        never-restarting pod's containers have all exited; else Running."""
        if self.restart_policy == "Never" and all(c.state == "terminated" for c in self.containers):
            return "Failed" if any(c.exit_code for c in self.containers) else "Succeeded"
        if any(c.started_at is None for c in self.containers):
            return "Pending"
        return "Running"


def pod_status(pod: Manifest, run: PodRun, now: float) -> dict[str, Any]:
    """The complete ``status`` the kubelet reports for ``pod`` running as ``run``
    at ``now`` (conditions that change state get ``now`` as their transition time)."""
    unready = [c.name for c in run.containers if not c.ready]
    ready = "False" if unready else "True"
    now_states = {
        "PodReadyToStartContainers": "True",
        "Initialized": "True",
        "Ready": ready,
        "ContainersReady": ready,
    }
    conditions = []
    for type_, status in now_states.items():
        old = run.transitions.get(type_)
        if old is None or old[0] != status:
            run.transitions[type_] = (status, now)
        cond: dict[str, Any] = {"type": type_, "status": status, "lastProbeTime": None,
                                "lastTransitionTime": iso(run.transitions[type_][1])}
        if status == "False" and type_ in ("Ready", "ContainersReady"):
            cond["reason"] = "ContainersNotReady"
            cond["message"] = f"containers with unready status: [{' '.join(unready)}]"
        conditions.append(cond)
    scheduled = next((c for c in pod.get("status", {}).get("conditions", ())
                      if c.get("type") == "PodScheduled"), None)
    conditions.append(scheduled or {"type": "PodScheduled", "status": "True",
                                    "lastProbeTime": None,
                                    "lastTransitionTime": iso(run.start_time)})
    return {
        "phase": run.phase(),
        "conditions": conditions,
        "hostIP": run.host_ip,
        "hostIPs": [{"ip": run.host_ip}],
        "podIP": run.pod_ip,
        "podIPs": [{"ip": run.pod_ip}],
        "startTime": iso(run.start_time),
        "containerStatuses": [c.status() for c in run.containers],
        "qosClass": qos_class(pod["spec"]),
    }

