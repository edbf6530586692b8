"""The default sandbox world: a GPU inference platform with its history and troubles.

``Scenario.initial(t0)`` gives the objects that exist when the world's history
starts (``WARMUP`` seconds before the present), ``Scenario.timeline(t0)`` the
changes operators made since — the two releases of ``serving/mistral-7b-chat``,
the second of them bad, and a pretraining job submitted that no node can fit.
Two CPU-bound serving Deployments are under HorizontalPodAutoscalers
(``AUTOSCALED``). The controllers turn these into ReplicaSets, pods, crash loops
and events as the world replays its history. ``pods``/``nodes`` grow the world with
``bench/echo-NNN`` deployments on generated CPU nodes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from console.sandbox.builders import (
    GPU_TAINT,
    GPU_TOLERATION,
    autoscaler,
    bare_pod,
    container,
    deployment,
    namespace,
    node,
    pod_spec,
    service,
)
from console.sandbox.objects import CHANGE_CAUSE
from console.sandbox.store import Manifest, ObjectStore

WARMUP = 40 * 60.0
NAMESPACES = ("default", "kube-system", "platform", "serving", "training")
BENCH_REPLICAS = 50
_DAY = 86400.0
_MISTRAL = "registry.acme.ai/serving/mistral-7b-chat"
_VLLM = "vllm/vllm-openai"
_PRODUCT = "nvidia.com/gpu.product"
_H100 = {_PRODUCT: "NVIDIA-H100-80GB-HBM3"}
_L40S = {_PRODUCT: "NVIDIA-L40S"}
_A100 = {_PRODUCT: "NVIDIA-A100-SXM4-80GB"}
_A10G = {_PRODUCT: "NVIDIA-A10G-SHARED"}


@dataclass(frozen=True)
class Workload:
    """A Deployment of the default world and its Service."""

    namespace: str
    name: str
    image: str
    replicas: int
    requests: dict[str, str] = field(default_factory=dict)
    limits: dict[str, str] = field(default_factory=dict)
    placement: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    port: int = 8000
    service_port: int = 80
    track: str = ""
    change_cause: str = ""

    @property
    def gpu(self) -> bool:
        return any(k.startswith("nvidia.com/") for k in (*self.requests, *self.limits))


_LLAMA_70B = ("--model", "meta-llama/Meta-Llama-3-70B-Instruct", "--tensor-parallel-size", "4")
#: Guaranteed QoS: limits only, so requests default to them.
_FOUR_H100 = {"cpu": "32", "memory": "256Gi", "nvidia.com/gpu": "4"}


WORKLOADS = (
    Workload("serving", "llama3-70b-instruct", f"{_VLLM}:v0.6.3", 3,
             limits=_FOUR_H100, placement=_H100, args=_LLAMA_70B,
             track="stable", change_cause="vLLM v0.6.3, tensor parallel 4"),
    Workload("serving", "llama3-70b-instruct-canary", f"{_VLLM}:v0.6.4", 1,
             limits=_FOUR_H100, placement=_H100, args=_LLAMA_70B,
             track="canary", change_cause="canary: vLLM v0.6.4"),
    Workload("serving", "mistral-7b-chat", f"{_MISTRAL}:v0.8.4", 4,
             requests={"cpu": "8", "memory": "48Gi"},
             limits={"memory": "48Gi", "nvidia.com/gpu": "1"}, placement=_L40S,
             args=("--model", "mistralai/Mistral-7B-Instruct-v0.3"),
             change_cause="v0.8.4: initial production release"),
    Workload("serving", "llama3-8b-instruct", f"{_VLLM}:v0.6.3", 2,
             requests={"cpu": "4", "memory": "32Gi"}, limits={"nvidia.com/mig-3g.40gb": "1"},
             placement=_A100, args=("--model", "meta-llama/Meta-Llama-3-8B-Instruct")),
    Workload("serving", "embeddings-bge", "ghcr.io/huggingface/text-embeddings-inference:1.5", 3,
             requests={"cpu": "2", "memory": "8Gi"}, limits={"nvidia.com/mig-1g.10gb": "1"},
             placement=_A100, args=("--model-id", "BAAI/bge-large-en-v1.5"), port=80),
    Workload("serving", "reranker", "registry.acme.ai/serving/reranker:0.4.2", 2,
             requests={"cpu": "4", "memory": "16Gi"}, limits={"nvidia.com/gpu": "1"},
             placement=_L40S, args=("--model", "BAAI/bge-reranker-v2-m3")),
    Workload("serving", "whisper-large-v3", "registry.acme.ai/serving/whisper-large-v3:1.3.0", 3,
             limits={"nvidia.com/gpu.shared": "1"}, placement=_A10G,
             args=("--model", "openai/whisper-large-v3")),
    Workload("serving", "stable-diffusion-xl", "registry.acme.ai/serving/sdxl-server:2.1.0", 1,
             requests={"cpu": "4", "memory": "24Gi"}, limits={"nvidia.com/gpu": "1"},
             placement=_L40S, args=("--model", "sdxl-turbo")),
    Workload("serving", "llm-gateway", "registry.acme.ai/platform/llm-gateway:1.14.2", 3,
             requests={"cpu": "500m", "memory": "512Mi"}, limits={"cpu": "2", "memory": "1Gi"},
             port=8080),
    Workload("platform", "prometheus", "quay.io/prometheus/prometheus:v2.54.1", 1,
             limits={"cpu": "2", "memory": "8Gi"}, port=9090, service_port=9090),
    Workload("platform", "grafana", "grafana/grafana:11.2.0", 1,
             requests={"cpu": "250m", "memory": "512Mi"}, limits={"memory": "1Gi"}, port=3000),
    Workload("platform", "model-registry", "registry.acme.ai/platform/model-registry:3.2.0", 2,
             requests={"cpu": "500m", "memory": "1Gi"}, limits={"cpu": "1", "memory": "2Gi"}),
    Workload("kube-system", "coredns", "registry.k8s.io/coredns/coredns:v1.11.1", 2,
             requests={"cpu": "100m", "memory": "70Mi"}, limits={"memory": "170Mi"},
             port=53, service_port=53),
    Workload("kube-system", "metrics-server",
             "registry.k8s.io/metrics-server/metrics-server:v0.7.1", 1,
             requests={"cpu": "100m", "memory": "200Mi"}, port=10250, service_port=443),
)

#: (namespace, deployment, minReplicas, maxReplicas, target CPU %) of the world's HPAs.
#: Not on ``mistral-7b-chat``: its bad release is scaled and rolled back by hand.
AUTOSCALED = (
    ("serving", "llm-gateway", 2, 8, 70),
    ("serving", "embeddings-bge", 2, 6, 75),
)

_NodeSpec = tuple[str, int, int, str, dict[str, str], dict[str, int], str]
_GPU_NODES: tuple[_NodeSpec, ...] = (
    *((f"gpu-h100-{i:02d}", 192, 2048, "p5.48xlarge",
       {**_H100, "nvidia.com/gpu.count": "8", "nvidia.com/gpu.memory": "81559"},
       {"nvidia.com/gpu": 8}, "gpu") for i in range(1, 5)),
    *((f"gpu-l40s-{i:02d}", 192, 1536, "g6e.48xlarge",
       {**_L40S, "nvidia.com/gpu.count": "8", "nvidia.com/gpu.memory": "46068"},
       {"nvidia.com/gpu": 8}, "gpu") for i in range(1, 3)),
    *((f"gpu-a100-mig-{i:02d}", 96, 1152, "p4de.24xlarge",
       {**_A100, "nvidia.com/gpu.count": "8", "nvidia.com/mig.strategy": "mixed",
        "nvidia.com/mig.config": "all-balanced"},
       {"nvidia.com/gpu": 0, "nvidia.com/mig-1g.10gb": 28, "nvidia.com/mig-3g.40gb": 8}, "gpu")
      for i in range(1, 3)),
    ("gpu-a10g-shared-01", 192, 768, "g5.48xlarge",
     {**_A10G, "nvidia.com/gpu.count": "8", "nvidia.com/gpu.replicas": "4",
      "nvidia.com/gpu.sharing-strategy": "time-slicing"},
     {"nvidia.com/gpu.shared": 32}, "gpu"),
)


@dataclass(frozen=True)
class Scenario:
    """The default world for a seed, grown to about ``pods`` pods on ``nodes`` nodes."""

    seed: int = 7
    pods: int | None = None
    nodes: int | None = None

    def initial(self, t0: float) -> list[tuple[str, Manifest]]:
        """``(kind, manifest)`` of every object that exists at ``t0``, in creation order."""
        rng = random.Random(self.seed)
        objs: list[tuple[str, Manifest]] = [
            ("namespaces", namespace(n, t0 - 90 * _DAY)) for n in (*NAMESPACES, *self._bench_ns())
        ]
        objs += [("nodes", n) for n in self._nodes(t0)]
        objs.append(("services", service("default", "kubernetes", {}, ip="10.96.0.1", port=443,
                                         target=6443, created=t0 - 90 * _DAY)))
        ips = iter(f"10.96.{i // 200 + 1}.{i % 200 + 10}" for i in range(100_000))
        born: dict[tuple[str, str], float] = {}
        for w in (*WORKLOADS, *self._bench()):
            created = t0 - rng.uniform(3, 60) * _DAY
            born[w.namespace, w.name] = created
            objs.append(("deployments", self._deployment(w, created)))
            if w.track != "canary":
                name = "kube-dns" if w.name == "coredns" else w.name
                selector = {"app": w.name.removesuffix("-canary")}
                objs.append(("services", service(w.namespace, name, selector, ip=next(ips),
                                                 port=w.service_port, target=w.port,
                                                 created=created)))
        objs += [("pods", p) for p in self._bare_pods(t0, rng)]
        objs += [("horizontalpodautoscalers",
                  autoscaler(ns, name, min_replicas=low, max_replicas=high, cpu_percent=cpu,
                             created=born[ns, name] + 3600))
                 for ns, name, low, high, cpu in AUTOSCALED]
        return objs

    def timeline(self, t0: float) -> list[tuple[float, Callable[[ObjectStore], None]]]:
        """``(when, change)`` pairs: what operators did between ``t0`` and now."""
        now = t0 + WARMUP
        pretrain = bare_pod(
            "training", "pretrain-mixtral-8x22b-worker-0",
            pod_spec([container("trainer", "registry.acme.ai/training/pretrain:2024.09",
                                limits={"cpu": "96", "memory": "1Ti", "nvidia.com/gpu": "8"},
                                port=None, args=["--model", "mistralai/Mixtral-8x22B-v0.1"])],
                     node_selector=_H100, gpu=True, restart_policy="OnFailure"),
            labels={"app": "pretrain-mixtral-8x22b", "job-name": "pretrain-mixtral-8x22b"},
            created=now - 480,
        )
        return [
            (now - 1500, _set_image("serving", "mistral-7b-chat", f"{_MISTRAL}:v0.9.0",
                                    "v0.9.0: tune continuous batching (max_num_seqs=256)")),
            (now - 1080, _set_image("serving", "mistral-7b-chat", f"{_MISTRAL}:v0.9.1-rc2",
                                    "v0.9.1-rc2: new chat template, speculative decoding")),
            (now - 480, _create("pods", pretrain)),
        ]

    # ------------------------------------------------------------ pieces

    def _deployment(self, w: Workload, created: float) -> Manifest:
        app = w.name.removesuffix("-canary")
        labels = {"app": app, "track": w.track} if w.track else {"app": app}
        ctr = container(app, w.image, requests=w.requests, limits=w.limits, port=w.port,
                        args=list(w.args))
        spec = pod_spec([ctr], node_selector=w.placement or None, gpu=w.gpu)
        if w.name == "coredns":
            spec["tolerations"] = [{"key": "node-role.kubernetes.io/control-plane",
                                    "effect": "NoSchedule"}]
        return deployment(w.namespace, w.name, spec, replicas=w.replicas, created=created,
                          labels=labels, change_cause=w.change_cause)

    def _nodes(self, t0: float) -> list[Manifest]:
        created = t0 - 120 * _DAY
        out = [node("k8s-cp-01", 0, created, cpu=8, memory_gi=32, role="control-plane",
                    instance_type="m6i.2xlarge",
                    taints=[{"key": "node-role.kubernetes.io/control-plane",
                             "effect": "NoSchedule"}])]
        for name, cpu, mem, itype, labels, ext, role in _GPU_NODES:
            out.append(node(name, len(out), created, cpu=cpu, memory_gi=mem, role=role,
                            labels={**labels, "nvidia.com/gpu.present": "true"}, extended=ext,
                            taints=[GPU_TAINT], instance_type=itype))
        for i in range(1, 5):
            out.append(node(f"cpu-{i:02d}", len(out), created, cpu=32, memory_gi=128,
                            role="worker"))
        for i in range(1, self._extra_nodes(len(out)) + 1):
            out.append(node(f"cpu-gen-{i:03d}", len(out), created + i, cpu=32, memory_gi=128,
                            role="worker"))
        return out

    def _extra_nodes(self, base: int) -> int:
        if self.nodes is not None:
            return max(0, self.nodes - base)
        return math.ceil(self._bench_pods() / 100)

    def _bench_pods(self) -> int:
        base = sum(w.replicas for w in WORKLOADS) + len(_GPU_NODES) + 3
        return max(0, (self.pods or 0) - base)

    def _bench_ns(self) -> tuple[str, ...]:
        return ("bench",) if self._bench_pods() else ()

    def _bench(self) -> list[Workload]:
        total = self._bench_pods()
        return [
            Workload("bench", f"echo-{i:03d}", "registry.acme.ai/bench/echo-server:1.0",
                     min(BENCH_REPLICAS, total - i * BENCH_REPLICAS),
                     requests={"cpu": "10m", "memory": "16Mi"}, port=8080)
            for i in range(math.ceil(total / BENCH_REPLICAS))
        ]

    def _bare_pods(self, t0: float, rng: random.Random) -> list[Manifest]:
        pods = []
        dcgm = "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.7-3.5.0-ubuntu22.04"
        for spec in _GPU_NODES:
            ps = pod_spec([container("dcgm-exporter", dcgm, requests={"cpu": "100m",
                                     "memory": "128Mi"}, limits={"memory": "512Mi"}, port=9400)])
            ps["tolerations"] = [dict(GPU_TOLERATION)]
            ps["nodeName"] = spec[0]
            suffix = "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
            pods.append(bare_pod("platform", f"dcgm-exporter-{suffix}", ps,
                                 labels={"app": "dcgm-exporter"}, created=t0))
        jupyter = "quay.io/jupyter/pytorch-notebook:cuda12-2024-08-12"
        notebook = pod_spec([container("notebook", jupyter, requests={"cpu": "8", "memory": "64Gi"},
                                       limits={"nvidia.com/gpu": "2"}, port=8888)],
                            node_selector=_H100, gpu=True)
        pods.append(bare_pod("training", "jupyter-asmith", notebook,
                             labels={"app": "jupyterhub", "component": "singleuser-server",
                                     "hub.jupyter.org/username": "asmith"}, created=t0))
        finetune = pod_spec([container("trainer", "nvcr.io/nvidia/pytorch:24.07-py3",
                                       requests={"cpu": "16", "memory": "64Gi"},
                                       limits={"memory": "64Gi", "nvidia.com/gpu": "2"}, port=None,
                                       args=["--model", "meta-llama/Meta-Llama-3-8B"])],
                            node_selector=_L40S, gpu=True, restart_policy="OnFailure")
        pods.append(bare_pod("training", "finetune-llama3-8b-lora-worker-0", finetune,
                             labels={"app": "finetune-llama3-8b-lora",
                                     "job-name": "finetune-llama3-8b-lora"}, created=t0))
        return pods


def _create(kind: str, obj: Manifest) -> Callable[[ObjectStore], None]:
    """A change that creates ``obj``."""

    def apply(store: ObjectStore) -> None:
        store.create(kind, obj)

    return apply


def _set_image(ns: str, name: str, image: str, cause: str) -> Callable[[ObjectStore], None]:
    """A change that does what ``kubectl set image`` plus annotating the change-cause do."""

    def apply(store: ObjectStore) -> None:
        d = store.get("deployments", ns, name)
        if d is None:
            return
        template = d["spec"]["template"]
        containers = [{**c, "image": image} for c in template["spec"]["containers"]]
        spec = {**d["spec"], "template": {**template, "spec": {**template["spec"],
                                                                "containers": containers}}}
        meta = {**d["metadata"], "annotations": {**d["metadata"].get("annotations", {}),
                                                 CHANGE_CAUSE: cause}}
        store.update("deployments", {**d, "metadata": meta, "spec": spec})

    return apply
