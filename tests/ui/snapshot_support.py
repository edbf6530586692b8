"""Frozen worlds for the snapshot tests of every screen.

Snapshots must not depend on the wall clock, on timing or on the live sandbox, so
these fakes serve fixed data: a cluster with nodes (full GPUs, MIG, time-sliced, a
cordoned CPU node) and pods in the states the Pods screen colours (a Pending pod
with the scheduler's message, a crash-looping one), a Prometheus whose range
queries answer fixed series over the asked window (times relative to the frozen
clock ``NOW``), fixed alerts, and a Docker engine with fixed images and containers.
``painted`` is the wait every snapshot uses before the shot: a real condition,
then a short pause for the last repaint.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Literal

from textual.pilot import Pilot
from textual.widgets import Input

from adapters.base import Kind, LogOptions, NotFound, Unavailable
from console.models import (
    Alert,
    AlertRule,
    BuildEvent,
    Container,
    ContainerState,
    ContainerStats,
    Event,
    Image,
    ImageLayer,
    KubeObject,
    Namespace,
    Node,
    Pod,
    PushEvent,
    QueryResult,
    ReplicaSet,
    Series,
    Taint,
)
from tests.ui.fakes import NOW
from tests.ui.ops_fakes import OpsCluster

#: Seconds the app gets after its condition holds, for the last repaint to land.
SETTLE = 0.3


async def painted(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10) -> None:
    """Wait until ``condition()`` holds, stop the text cursors blinking (a focused
    field's cursor shows steadily, so the shot does not depend on when it is taken),
    then let the app repaint once more.

    Raises ``AssertionError`` after ``timeout`` s. Not ``pytest.fail`` (as
    ``conftest.wait_for`` does): under ``snap_compare`` the app runs this in its
    auto-pilot, which exits the app on an ``Exception`` but not on pytest's
    ``BaseException`` outcomes — the test would hang instead of failing.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"the screen was not painted as expected within {timeout} s")
        await pilot.pause(0.02)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause(SETTLE)


# --------------------------------------------------------------------- cluster

GPU = "nvidia.com/gpu"


def _container(state: str = "running", *, ready: bool = True, gpu: Mapping[str, str] | None = None,
               **fields: Any) -> ContainerState:  # fmt: skip
    limits = {"cpu": "8", "memory": "64Gi", **(gpu or {})}
    return ContainerState(name="server", image="ghcr.io/acme/vllm:0.6.3", state=state,
                          ready=ready, requests=limits, limits=limits, **fields)  # fmt: skip


def _llama_pod(suffix: str, *, node: str = "gpu-h100-01", age: timedelta = timedelta(hours=3),
               **fields: Any) -> Pod:  # fmt: skip
    values: dict[str, Any] = {
        "phase": "Running", "qos_class": "Guaranteed",
        "containers": (_container(gpu={GPU: "2"}),),
    }  # fmt: skip
    values.update(fields)
    return Pod(namespace="inference", name=f"llama-70b-7d9f-{suffix}", owner_kind="ReplicaSet",
               owner_name="llama-70b-7d9f", labels={"pod-template-hash": "7d9f"}, node=node,
               created=NOW - age, **values)  # fmt: skip


def snapshot_pods() -> list[Pod]:
    """llama-70b's pods in every state its Pods screen colours, and pods on the other
    nodes (so the Nodes screen counts GPU requests)."""
    crash = _container("waiting", ready=False, gpu={GPU: "2"}, reason="CrashLoopBackOff",
                       restarts=7, last_terminated_reason="OOMKilled")  # fmt: skip
    return [
        _llama_pod("aaaaa"),
        _llama_pod("bbbbb", age=timedelta(minutes=42)),
        _llama_pod("ccccc", node="", age=timedelta(minutes=4), phase="Pending",
                   containers=(_container("waiting", ready=False, gpu={GPU: "2"}),),
                   scheduling_message="0/4 nodes are available: 2 Insufficient nvidia.com/gpu, "
                                      "1 node(s) were unschedulable."),
        _llama_pod("ddddd", age=timedelta(minutes=25), containers=(crash,)),
        _llama_pod("eeeee", node="gpu-a100-02", qos_class="Burstable",
                   containers=(_container(gpu={"nvidia.com/mig-3g.40gb": "1"}),)),
        Pod(namespace="inference", name="whisper-5c4b-fffff", owner_kind="ReplicaSet",
            owner_name="whisper-5c4b", labels={"pod-template-hash": "5c4b"}, node="gpu-l4-03",
            phase="Running", qos_class="Burstable", created=NOW - timedelta(hours=5),
            containers=(_container(gpu={"nvidia.com/gpu.shared": "1"}),)),
        Pod(namespace="platform", name="gateway-6b8c-ggggg", owner_kind="ReplicaSet",
            owner_name="gateway-6b8c", labels={"pod-template-hash": "6b8c"}, node="cpu-04",
            phase="Running", qos_class="BestEffort", created=NOW - timedelta(days=40),
            containers=(ContainerState(name="envoy", image="envoy:1.30", state="running",
                                       ready=True),)),
    ]  # fmt: skip


def snapshot_nodes() -> list[Node]:
    """Four nodes: eight full H100s, an A100 cut into MIG slices, time-sliced L4s,
    and a cordoned CPU node."""
    return [
        Node(name="gpu-h100-01", ready=True, roles=("gpu",), cpu_millis=192_000,
             memory_bytes=2048 * 2**30, gpu_resources={GPU: 8},
             gpu_product="NVIDIA-H100-80GB-HBM3", created=NOW - timedelta(days=90),
             taints=(Taint(key="nvidia.com/gpu", effect="NoSchedule"),)),
        Node(name="gpu-a100-02", ready=True, roles=("gpu",), cpu_millis=128_000,
             memory_bytes=1024 * 2**30,
             gpu_resources={"nvidia.com/mig-1g.10gb": 14, "nvidia.com/mig-3g.40gb": 4},
             gpu_product="NVIDIA-A100-SXM4-80GB", created=NOW - timedelta(days=60)),
        Node(name="gpu-l4-03", ready=True, roles=("gpu",), cpu_millis=48_000,
             memory_bytes=192 * 2**30, gpu_resources={"nvidia.com/gpu.shared": 16},
             gpu_product="NVIDIA-L4-SHARED", created=NOW - timedelta(days=12)),
        Node(name="cpu-04", ready=True, unschedulable=True, roles=("worker",), cpu_millis=32_000,
             memory_bytes=128 * 2**30, created=NOW - timedelta(days=200),
             taints=(Taint(key="node.kubernetes.io/unschedulable", effect="NoSchedule"),)),
    ]  # fmt: skip


#: Log lines of llama-70b's pods: requests, a warning and one error line.
LOG_LINES: dict[str, list[str]] = {
    "llama-70b-7d9f-aaaaa": [
        "2026-03-01T11:58:01Z INFO  vllm.engine: loaded model llama-70b in 41.2 s",
        "2026-03-01T11:58:40Z INFO  POST /v1/completions 200 812ms tokens=412",
        "2026-03-01T11:59:12Z WARN  kv cache usage 91%, preempting 2 sequences",
        "2026-03-01T11:59:30Z INFO  POST /v1/completions 200 1.4s tokens=980",
    ],
    "llama-70b-7d9f-bbbbb": [
        "2026-03-01T11:58:05Z INFO  vllm.engine: loaded model llama-70b in 39.8 s",
        "2026-03-01T11:59:20Z ERROR CUDA out of memory: tried to allocate 2.50 GiB",
        "2026-03-01T11:59:41Z INFO  POST /v1/completions 200 640ms tokens=220",
    ],
}


class SnapshotCluster(OpsCluster):
    """``OpsCluster`` (llama-70b with three revisions, whisper) plus the nodes and
    pods above, llama-70b's events and its pods' log lines. The log streams of
    llama-70b's pods hand out their lines in timestamp order across the pods, so
    the interleaving the logs view shows is the same on every run."""

    def __init__(self, *, context: str = "fake") -> None:
        super().__init__(context=context)
        self.objects[Kind.POD].clear()
        extra: list[KubeObject] = [
            Namespace(name="platform"), Namespace(name="training"),
            *snapshot_pods(), *snapshot_nodes(),
            Event(namespace="inference", name="ev2", involved_kind="Deployment",
                  involved_name="llama-70b", type="Warning", reason="ProgressDeadlineExceeded",
                  message='ReplicaSet "llama-70b-7d9f" has timed out progressing.', count=3,
                  last_seen=NOW - timedelta(seconds=40), source="deployment-controller"),
        ]  # fmt: skip
        for obj in extra:
            self.objects[_kind(obj)][obj.key] = obj
        self.log_lines = {pod: list(lines) for pod, lines in LOG_LINES.items()}
        #: Every pod's lines in timestamp order, and how many of them were handed out.
        self._sequence = sorted((line, pod) for pod, lines in LOG_LINES.items() for line in lines)
        self._handed = 0
        self._turn = asyncio.Condition()

    async def contexts(self) -> list[str]:
        return [self.context, "prod-eu-1", "staging"]

    async def logs(self, namespace: str, pod: str, options: LogOptions) -> AsyncIterator[str]:
        """``pod``'s lines, each once every earlier line of the other pods was handed
        out (each stream must be read: a deployment's logs read them all), then
        nothing more (following waits forever)."""
        self.log_options.append(options)
        for index, (line, owner) in enumerate(self._sequence):
            if owner != pod:
                continue
            async with self._turn:
                await self._turn.wait_for(lambda index=index: self._handed == index)  # type: ignore[misc]
                self._handed += 1
                self._turn.notify_all()
            yield line
        await asyncio.Event().wait()


def _kind(obj: KubeObject) -> Kind:
    return {Namespace: Kind.NAMESPACE, Node: Kind.NODE, Pod: Kind.POD, ReplicaSet: Kind.REPLICASET,
            Event: Kind.EVENT}[type(obj)]  # fmt: skip


# --------------------------------------------------------------------- prometheus

#: The series each grouping of the built-in panels splits into.
_GROUPS: dict[str, tuple[str, ...]] = {
    "deployment": ("llama-70b", "mistral-7b", "whisper"),
    "Hostname": ("gpu-h100-01", "gpu-a100-02", "gpu-l4-03"),
    "namespace": ("inference", "platform", "training"),
    "code": ("200", "429", "503"),
    "pod": ("llama-70b-7d9f-aaaaa", "llama-70b-7d9f-bbbbb"),
}
#: Points per series, whatever the window (enough for a smooth braille line).
POINTS = 60


def _scale(query: str) -> float:
    """A plausible magnitude for what ``query`` measures."""
    if "histogram_quantile" in query:
        return 1.6
    if '=~"5.."' in query:
        return 0.04
    if "DCGM_FI_DEV_GPU_UTIL" in query:
        return 60.0
    if "DCGM_FI_DEV_FB_USED" in query:
        return 40e9
    if "cpu" in query:
        return 12.0
    return 80.0


def fixed_series(query: str, start: float, end: float) -> QueryResult:
    """``POINTS`` points per series between ``start`` and ``end``, each series a slow
    wave of its own phase; the same window always gives the same answer."""
    match = re.search(r"by \((\w+)", query)
    names = _GROUPS.get(match[1], ()) if match else ()
    groups = [{match[1]: name} for name in names] if match and names else [{}]
    scale, step = _scale(query), (end - start) / (POINTS - 1)
    series = []
    for i, labels in enumerate(groups):
        level = scale * (1.0 - 0.3 * i)
        points = tuple(
            (start + k * step, round(level * (1 + 0.25 * math.sin(k / 6 + i * 1.7)), 6))
            for k in range(POINTS)
        )
        series.append(Series(labels=labels, points=points))
    return QueryResult(result_type="matrix", series=tuple(series), step=step)


def snapshot_alerts() -> list[Alert]:
    """Two firing alerts (critical, warning) and one pending."""
    return [
        Alert(name="ModelServerHighErrorRate", state="firing", severity="critical",
              labels={"alertname": "ModelServerHighErrorRate", "severity": "critical",
                      "namespace": "inference", "deployment": "mistral-7b"},
              annotations={"summary": "mistral-7b answers 21 % of requests with 5xx",
                           "runbook_url": "https://runbooks.acme.ai/model-server-errors"},
              active_at=NOW - timedelta(minutes=12), value="0.21"),
        Alert(name="GpuAllocatedButIdle", state="firing", severity="warning",
              labels={"alertname": "GpuAllocatedButIdle", "severity": "warning",
                      "Hostname": "gpu-a100-02"},
              annotations={"summary": "GPUs on gpu-a100-02 allocated but idle for 30 min"},
              active_at=NOW - timedelta(hours=2), value="0"),
        Alert(name="PodCrashLooping", state="pending", severity="warning",
              labels={"alertname": "PodCrashLooping", "severity": "warning",
                      "namespace": "inference", "pod": "llama-70b-7d9f-ddddd"},
              annotations={"summary": "llama-70b-7d9f-ddddd restarted 7 times"},
              active_at=NOW - timedelta(minutes=3), value="7"),
    ]  # fmt: skip


class FrozenMetrics:
    """A MetricsAdapter answering ``fixed_series`` and ``snapshot_alerts``, or, with
    ``down``, raising ``Unavailable`` from every call as a refused connection does."""

    url = "http://prometheus.test:9090"

    def __init__(self, *, alerts: Sequence[Alert] | None = None, down: bool = False) -> None:
        self._alerts = list(snapshot_alerts() if alerts is None else alerts)
        self.down = down

    def _check(self) -> None:
        if self.down:
            raise Unavailable(f"cannot reach {self.url}: connection refused",
                              title="Prometheus unavailable")  # fmt: skip

    async def connect(self) -> None:
        self._check()

    async def close(self) -> None:
        return None

    async def query(self, promql: str, at: float | None = None) -> QueryResult:
        self._check()
        return QueryResult(result_type="vector")

    async def query_range(self, promql: str, start: float, end: float, *,
                          max_points: int = 11_000) -> QueryResult:  # fmt: skip
        self._check()
        return fixed_series(promql, start, end)

    async def alerts(self) -> list[Alert]:
        self._check()
        return list(self._alerts)

    async def rules(self) -> list[AlertRule]:
        self._check()
        return []

    async def label_values(self, label: str) -> list[str]:
        self._check()
        return []


# --------------------------------------------------------------------- docker

_SHA = "sha256:"


def snapshot_images() -> list[Image]:
    return [
        Image(id=_SHA + "3f1a" * 16, tags=("registry.acme.ai/serving/vllm:0.6.3",),
              size=9_812_000_000, created=NOW - timedelta(days=3)),
        Image(id=_SHA + "9c2e" * 16, tags=("registry.acme.ai/serving/mistral-7b-chat:v0.9.1",
                                           "registry.acme.ai/serving/mistral-7b-chat:latest"),
              size=14_250_000_000, created=NOW - timedelta(hours=6)),
        Image(id=_SHA + "51bd" * 16, tags=("envoyproxy/envoy:v1.30.1",), size=182_000_000,
              created=NOW - timedelta(days=41)),
        Image(id=_SHA + "07aa" * 16, tags=(), size=1_204_000, created=NOW - timedelta(minutes=8)),
    ]  # fmt: skip


def snapshot_containers() -> list[Container]:
    return [
        Container(id="c1" * 32, name="vllm-dev", image="registry.acme.ai/serving/vllm:0.6.3",
                  state="running", status="Up 3 hours", created=NOW - timedelta(hours=3)),
        Container(id="c2" * 32, name="envoy-local", image="envoyproxy/envoy:v1.30.1",
                  state="exited", status="Exited (137) 2 hours ago",
                  created=NOW - timedelta(days=1)),
        Container(id="c3" * 32, name="bench-runner", image="registry.acme.ai/tools/bench:1.2",
                  state="restarting", status="Restarting (1) 5 seconds ago",
                  created=NOW - timedelta(minutes=30)),
    ]  # fmt: skip


def image_layers() -> list[ImageLayer]:
    """A serving image's layers, newest first."""
    return [
        ImageLayer(id=_SHA + "9c2e" * 16, created=NOW - timedelta(hours=6), size=0,
                   created_by='/bin/sh -c #(nop)  CMD ["python" "-m" "vllm.entrypoints.api"]'),
        ImageLayer(id="<missing>", created=NOW - timedelta(hours=6), size=14_100_000_000,
                   created_by="/bin/sh -c pip install --no-cache-dir -r requirements.txt"),
        ImageLayer(id="<missing>", created=NOW - timedelta(hours=6), size=2_400,
                   created_by="/bin/sh -c #(nop) COPY file:4be4a1b… in /app/requirements.txt"),
        ImageLayer(id="<missing>", created=NOW - timedelta(days=20), size=148_000_000,
                   created_by="/bin/sh -c #(nop) ADD file:0e3f… in / ", comment="base layer"),
    ]  # fmt: skip


#: CPU % and memory bytes of the running container's stats samples, in order.
STATS = [(35.0, 6_200_000_000), (62.5, 6_900_000_000), (48.0, 7_100_000_000),
         (91.0, 7_400_000_000), (74.5, 7_300_000_000)]  # fmt: skip


#: A push the registry refuses after the first layers.
PUSH_EVENTS = [
    PushEvent(layer="5f70bf18a086", status="Layer already exists"),
    PushEvent(layer="e2a2a0f5f3c1", status="Layer already exists"),
    PushEvent(layer="9c2e0b7d11aa", status="Pushing", current=1_900_000_000, total=3_800_000_000),
    PushEvent(error="unauthorized: authentication required", done=True),
]


class FrozenDocker:
    """A ContainerAdapter over ``snapshot_images`` and ``snapshot_containers``; stats
    streams give the ``STATS`` samples, then wait forever."""

    endpoint = "unix:///var/run/docker.sock"

    def __init__(self, *, down: bool = False) -> None:
        self.down = down

    async def connect(self) -> None:
        if self.down:
            raise Unavailable(f"cannot reach {self.endpoint}: no such file or directory",
                              title="Docker unavailable")  # fmt: skip

    async def close(self) -> None:
        return None

    async def images(self) -> list[Image]:
        return snapshot_images()

    async def image_history(self, image: str) -> list[ImageLayer]:
        if image not in {name for i in snapshot_images() for name in (i.id, *i.tags)}:
            raise NotFound(f"no such image: {image}")
        return image_layers()

    async def remove_image(self, image: str, *, force: bool = False) -> None:
        raise NotImplementedError

    async def tag_image(self, image: str, reference: str) -> None:
        raise NotImplementedError

    async def containers(self, all: bool = True) -> list[Container]:
        return snapshot_containers()

    async def container_logs(
        self, container: str, *, tail: int = 500, follow: bool = False, since: float | None = None
    ) -> AsyncIterator[tuple[str, str]]:
        for line in ("listening on 0.0.0.0:8000", "GET /health 200"):
            yield "stdout", line
        await asyncio.Event().wait()

    async def container_stats(self, container: str) -> AsyncIterator[ContainerStats]:
        for cpu, memory in STATS:
            yield ContainerStats(read=NOW, cpu_percent=cpu, memory_bytes=memory,
                                 memory_limit=16_000_000_000)  # fmt: skip
        await asyncio.Event().wait()

    async def container_action(self, container: str,
                               action: Literal["start", "stop", "restart"]) -> None:  # fmt: skip
        raise NotImplementedError

    def build(self, context_dir: str, **_: Any) -> AsyncIterator[BuildEvent]:
        raise NotImplementedError

    async def push(self, reference: str) -> AsyncIterator[PushEvent]:
        """Two layers already in the registry, one half sent, then the registry
        refuses the credentials."""
        for event in PUSH_EVENTS:
            yield event
