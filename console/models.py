"""The console's domain models: frozen, slim, and independent of any SDK.

Adapters parse their backend's wire format into these; screens and console logic
only ever see these. Each Kubernetes model carries ``key`` — ``namespace/name``
(or ``name`` for cluster-scoped kinds) — the stable id tables key their rows by.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

#: ``defer_build``: a model's validator is built on first use, not at import, so the
#: first frame paints before the ~25 models are compiled.
Frozen = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class _Model(BaseModel):
    model_config = Frozen


# ------------------------------------------------------------------- kubernetes


class KubeMeta(_Model):
    """Fields every Kubernetes object has."""

    namespace: str = ""
    name: str
    uid: str = ""
    created: datetime | None = None
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    resource_version: str = ""

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


class Namespace(KubeMeta):
    phase: str = "Active"


class Taint(_Model):
    key: str
    value: str = ""
    effect: str


class Node(KubeMeta):
    """A node with what the GPU and scheduling screens need."""

    ready: bool = False
    unschedulable: bool = False
    taints: tuple[Taint, ...] = ()
    roles: tuple[str, ...] = ()
    kubelet_version: str = ""
    cpu_millis: int = 0
    memory_bytes: int = 0
    #: Allocatable extended resources: ``nvidia.com/gpu``, ``nvidia.com/gpu.shared``,
    #: ``nvidia.com/mig-1g.10gb``, … mapped to counts.
    gpu_resources: dict[str, int] = {}
    gpu_product: str = ""

    @property
    def gpu_mode(self) -> Literal["full", "mig", "shared", "none"]:
        if any(r.startswith("nvidia.com/mig-") for r in self.gpu_resources):
            return "mig"
        if "nvidia.com/gpu.shared" in self.gpu_resources:
            return "shared"
        if self.gpu_resources.get("nvidia.com/gpu"):
            return "full"
        return "none"


class ContainerState(_Model):
    """One container of a pod: its spec summary and its status."""

    name: str
    image: str
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    ready: bool = False
    restarts: int = 0
    #: "running", "waiting" or "terminated"
    state: str = "waiting"
    #: CrashLoopBackOff, OOMKilled, ImagePullBackOff, Completed, …
    reason: str = ""
    message: str = ""
    last_terminated_reason: str = ""
    started: datetime | None = None


class Pod(KubeMeta):
    owner_kind: str = ""
    owner_name: str = ""
    node: str = ""
    phase: str = "Pending"
    qos_class: str = ""
    containers: tuple[ContainerState, ...] = ()
    init_containers: tuple[ContainerState, ...] = ()
    #: The PodScheduled condition's message when unschedulable.
    scheduling_message: str = ""
    deleting: bool = False
    pod_ip: str = ""

    @property
    def ready_count(self) -> int:
        return sum(1 for c in self.containers if c.ready)

    @property
    def restarts(self) -> int:
        return sum(c.restarts for c in self.containers)

    @property
    def gpu_request(self) -> dict[str, int]:
        """GPU-like extended resources requested (limits count where no request)."""
        total: dict[str, int] = {}
        for c in self.containers:
            merged = {**c.limits, **c.requests}
            for res, qty in merged.items():
                if res.startswith("nvidia.com/"):
                    total[res] = total.get(res, 0) + int(qty)
        return total

    @property
    def status(self) -> str:
        """The status kubectl prints: the reason that matters most."""
        if self.deleting:
            return "Terminating"
        for done, c in enumerate(self.init_containers):
            if c.state == "terminated" and c.reason in ("", "Completed"):
                continue
            return f"Init:{c.reason}" if c.reason else f"Init:{done}/{len(self.init_containers)}"
        for c in self.containers:
            if c.state == "waiting" and c.reason and c.reason != "ContainerCreating":
                return c.reason
            if c.state == "terminated" and c.reason:
                return c.reason
        for c in self.containers:
            if c.state == "waiting" and c.reason:
                return c.reason
        return self.phase


class Deployment(KubeMeta):
    replicas: int = 0
    ready: int = 0
    updated: int = 0
    available: int = 0
    unavailable: int = 0
    images: tuple[str, ...] = ()
    revision: int = 0
    paused: bool = False
    generation: int = 0
    observed_generation: int = 0
    selector: dict[str, str] = {}
    #: The Progressing condition's reason (NewReplicaSetAvailable, ProgressDeadlineExceeded, …).
    progressing_reason: str = ""
    available_condition: bool = False

    @property
    def status(self) -> Literal["paused", "progressing", "available", "degraded"]:
        if self.paused:
            return "paused"
        if self.progressing_reason == "ProgressDeadlineExceeded":
            return "degraded"
        if (
            self.observed_generation < self.generation
            or self.updated < self.replicas
            or self.available < self.updated
            or (self.replicas > 0 and self.ready < self.replicas)
        ):
            return "degraded" if self.replicas and self.available == 0 else "progressing"
        return "available"


class ReplicaSet(KubeMeta):
    owner_name: str = ""
    revision: int = 0
    replicas: int = 0
    ready: int = 0
    available: int = 0
    images: tuple[str, ...] = ()
    change_cause: str = ""
    template_hash: str = ""


class Service(KubeMeta):
    type: str = "ClusterIP"
    cluster_ip: str = ""
    selector: dict[str, str] = {}
    ports: tuple[str, ...] = ()


class Event(KubeMeta):
    involved_kind: str = ""
    involved_name: str = ""
    involved_namespace: str = ""
    type: str = "Normal"
    reason: str = ""
    message: str = ""
    count: int = 1
    last_seen: datetime | None = None
    source: str = ""


class Hpa(KubeMeta):
    """A HorizontalPodAutoscaler: what it scales, its bounds and what it last saw."""

    #: ``scaleTargetRef``: the kind (``Deployment``) and name of the scaled object.
    target_kind: str = ""
    target_name: str = ""
    min_replicas: int = 1
    max_replicas: int = 0
    current_replicas: int = 0
    desired_replicas: int = 0
    #: Target and current average CPU utilisation (percent of request), when set/known.
    cpu_target: int | None = None
    cpu_current: int | None = None

    def scales(self, namespace: str, deployment: str) -> bool:
        """Whether this HPA owns the replica count of Deployment ``namespace/deployment``."""
        return (
            self.namespace == namespace
            and self.target_kind == "Deployment"
            and self.target_name == deployment
        )


KubeObject = Namespace | Node | Pod | Deployment | ReplicaSet | Service | Event | Hpa


# ------------------------------------------------------------------- prometheus


class Series(_Model):
    """One time series: its labels and its (unix seconds, value) points."""

    labels: dict[str, str]
    points: tuple[tuple[float, float], ...]

    @property
    def name(self) -> str:
        return self.labels.get("__name__", "")


class QueryResult(_Model):
    """A query's answer. ``result_type`` is vector, matrix, scalar or string;
    an instant vector has one point per series."""

    result_type: str
    series: tuple[Series, ...] = ()
    warnings: tuple[str, ...] = ()
    step: float | None = None


class Alert(_Model):
    name: str
    state: Literal["firing", "pending", "inactive"]
    severity: str = ""
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    active_at: datetime | None = None
    value: str = ""


class AlertRule(_Model):
    name: str
    group: str
    expr: str
    duration: float = 0.0
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    state: str = "inactive"


# ----------------------------------------------------------------------- docker


class Image(_Model):
    id: str
    tags: tuple[str, ...] = ()
    #: Repository digests (``repo@sha256:…``) the image was pushed or pulled as.
    digests: tuple[str, ...] = ()
    size: int = 0
    created: datetime | None = None

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]


class ImageLayer(_Model):
    id: str
    created: datetime | None = None
    created_by: str = ""
    size: int = 0
    comment: str = ""


class Container(_Model):
    id: str
    name: str
    image: str
    state: str
    status: str = ""
    created: datetime | None = None

    @property
    def short_id(self) -> str:
        return self.id[:12]


class ContainerStats(_Model):
    read: datetime | None = None
    cpu_percent: float = 0.0
    memory_bytes: int = 0
    memory_limit: int = 0


class BuildEvent(_Model):
    """One line of a build's progress stream, parsed.

    ``step``/``total_steps`` are set on the line that starts a step ("Step 2/5 :
    RUN make"); ``output`` carries any other text; the last event has ``done``.
    """

    step: int | None = None
    total_steps: int | None = None
    instruction: str = ""
    output: str = ""
    error: str = ""
    image_id: str = ""
    done: bool = False


class PushEvent(_Model):
    layer: str = ""
    status: str = ""
    current: int = 0
    total: int = 0
    error: str = ""
    digest: str = ""
    done: bool = False
