"""DCGM-exporter-style GPU series: the devices (or MIG instances, or time-sliced
replicas) of each GPU node, which pod holds each, and what that pod's image
makes the GPU do (``console.sandbox.catalog``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from console.sandbox.catalog import profile_for
from console.sandbox.objects import is_terminal
from console.sandbox.promql import Labels, labels_of
from console.sandbox.quantity import value as whole
from console.sandbox.signals import SeriesGroup, Wave, unit_random
from console.sandbox.store import Manifest

_MIG = re.compile(r"nvidia\.com/mig-(\d+)g\.(\d+)gb")
_TDP_WATTS = {"H100": 700.0, "A100": 400.0, "L40S": 350.0, "L4": 72.0, "T4": 70.0}


@dataclass(frozen=True, slots=True)
class GpuSlot:
    """One schedulable GPU unit: a whole device, a MIG instance or a time-slice.

    ``resource`` is the extended resource a pod asks for to get it."""

    resource: str
    gpu: int
    memory_mib: float
    mig_profile: str = ""
    instance: int = 0


def node_slots(node: Manifest) -> list[GpuSlot]:
    """The GPU slots a node offers, in the order the device plugin hands them out."""
    labels = node["metadata"].get("labels", {})
    alloc = node.get("status", {}).get("allocatable", {})
    memory = _memory_mib(labels)
    slots: list[GpuSlot] = []
    full = whole(alloc.get("nvidia.com/gpu", 0))
    slots.extend(GpuSlot("nvidia.com/gpu", i, memory) for i in range(full))
    shared = whole(alloc.get("nvidia.com/gpu.shared", 0))
    if shared:
        devices = max(1, int(labels.get("nvidia.com/gpu.count", 0)) or shared // 4 or 1)
        per_gpu = max(1, shared // devices)
        slots.extend(GpuSlot("nvidia.com/gpu.shared", i // per_gpu, memory / per_gpu)
                     for i in range(shared))
    gpu, used = 0, 0
    for resource in sorted(r for r in alloc if _MIG.fullmatch(r)):
        match = _MIG.fullmatch(resource)
        assert match is not None
        compute, mem_gb = int(match[1]), int(match[2])
        for _ in range(whole(alloc[resource])):
            if used + compute > 7:
                gpu, used = gpu + 1, 0
            slots.append(GpuSlot(resource, gpu, mem_gb * 1024.0, f"{compute}g.{mem_gb}gb",
                                 used))
            used += compute
    return slots


def _memory_mib(labels: dict[str, str]) -> float:
    if "nvidia.com/gpu.memory" in labels:
        return float(labels["nvidia.com/gpu.memory"])
    found = re.search(r"(\d+)GB", labels.get("nvidia.com/gpu.product", ""))
    return float(found[1]) * 1024 if found else 81920.0


def assign(node: Manifest, pods: Iterable[Manifest]) -> list[tuple[GpuSlot, Manifest | None]]:
    """Each slot of ``node`` with the pod holding it (None when free): pods bound
    to the node, oldest first, take the next free slots of what they request."""
    slots = node_slots(node)
    holder: list[Manifest | None] = [None] * len(slots)
    name = node["metadata"]["name"]
    bound = [p for p in pods if p["spec"].get("nodeName") == name and not is_terminal(p)]
    bound.sort(key=lambda p: (p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]))
    for pod in bound:
        for c in pod["spec"].get("containers", ()):
            res = c.get("resources", {})
            wanted = {**(res.get("limits") or {}), **(res.get("requests") or {})}
            for resource, qty in wanted.items():
                free = [i for i, s in enumerate(slots)
                        if s.resource == resource and holder[i] is None]
                for i in free[: whole(qty)]:
                    holder[i] = pod
    return list(zip(slots, holder, strict=True))


class GpuSeries(SeriesGroup):
    """The DCGM series of one slot while one pod (or none) holds it."""

    def __init__(self, node: Manifest, slot: GpuSlot, pod: Manifest | None, seed: int,
                 start: float) -> None:
        labels = node["metadata"].get("labels", {})
        product = labels.get("nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB")
        hostname = node["metadata"]["name"]
        uuid_bits = int(unit_random(seed, "uuid", hostname, slot.gpu) * 2**64)
        common = {
            "gpu": str(slot.gpu),
            "UUID": f"GPU-{uuid_bits:016x}-{slot.gpu:04d}",
            "device": f"nvidia{slot.gpu}",
            "modelName": product.replace("-", " "),
            "Hostname": hostname,
        }
        if slot.mig_profile:
            common |= {"GPU_I_ID": str(slot.instance), "GPU_I_PROFILE": slot.mig_profile}
        self.util, self.mem_frac = 0.0, 0.0
        if pod is not None:
            container = pod["spec"]["containers"][0]
            profile = profile_for(container.get("image", ""))
            self.util, self.mem_frac = profile.gpu_util, profile.gpu_mem_frac
            common |= {"namespace": pod["metadata"].get("namespace", ""),
                       "pod": pod["metadata"]["name"], "container": container["name"]}
        self.memory = slot.memory_mib
        self.tdp = next((w for k, w in _TDP_WATTS.items() if k in product), 300.0)
        self.mig = bool(slot.mig_profile)
        self.start = start
        self.wave = Wave.seeded(seed, "gpu", hostname, slot.gpu, slot.instance, daily=0.1)
        util_name = "DCGM_FI_PROF_GR_ENGINE_ACTIVE" if self.mig else "DCGM_FI_DEV_GPU_UTIL"
        self.labels: Sequence[Labels] = [
            labels_of({"__name__": name, **common})
            for name in (util_name, "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE",
                         "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE")
        ]

    def columns(self, wanted: Sequence[int], times: Sequence[float]) -> list[list[float]]:
        used = float(round(self.memory * self.mem_frac))
        wobbles: list[float] = []
        busy: list[float] = []
        if any(i in (0, 3, 4) for i in wanted):
            wobbles = self.wave.values(times)
            busy = [min(1.0, self.util * w) for w in wobbles]
        out: list[list[float]] = []
        for i in wanted:
            if i == 0:
                out.append([round(b, 4) for b in busy] if self.mig
                           else [float(round(100 * b)) for b in busy])
            elif i == 1:
                out.append([used] * len(times))
            elif i == 2:
                out.append([self.memory - used] * len(times))
            elif i == 3:
                out.append([float(round(31 + 44 * b + 2 * (w - 1)))
                            for b, w in zip(busy, wobbles, strict=True)])
            else:
                tdp = self.tdp
                out.append([round(0.15 * tdp + b * 0.8 * tdp, 3) for b in busy])
        return out
