"""The series one pod produces: its model server's request counters and latency
histogram (per deployment, track and status code), and its containers' CPU and
memory, shaped by the pod's image profile (``console.sandbox.catalog``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from console.sandbox.catalog import ImageProfile, profile_for
from console.sandbox.promql import Labels, labels_of
from console.sandbox.quantity import milli
from console.sandbox.signals import SeriesGroup, Wave, normal_cdf
from console.sandbox.store import Manifest

#: Histogram bucket bounds of ``model_request_duration_seconds`` (seconds).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: How 5xx answers split between codes.
_ERROR_CODES = (("500", 0.7), ("503", 0.3))
_DEFAULT_MEMORY = 256 * 2**20
_DEFAULT_CPU = 0.25


def pod_identity(pod: Manifest) -> dict[str, str]:
    """``namespace``, ``deployment``, ``track`` and ``pod`` labels of a pod: the
    deployment named by its ReplicaSet owner (the owner's name without the
    template hash), else its ``app`` label."""
    meta = pod["metadata"]
    labels = meta.get("labels", {})
    deployment = labels.get("app", "")
    for ref in meta.get("ownerReferences", ()):
        if ref.get("kind") == "ReplicaSet":
            deployment = ref["name"].rsplit("-", 1)[0]
    return {
        "namespace": meta.get("namespace", ""),
        "deployment": deployment,
        "track": labels.get("track", "stable"),
        "pod": meta["name"],
    }


def serves_traffic(pod: Manifest) -> bool:
    """Whether the pod's first container runs an image that answers requests."""
    containers = pod["spec"].get("containers", ())
    if not containers:
        return False
    profile = profile_for(containers[0].get("image", ""))
    return profile.rps > 0 and profile.crash is None


class PodTraffic(SeriesGroup):
    """``model_requests_total`` per code and ``model_request_duration_seconds``
    of one ready pod. Counts are whole numbers and only ever grow."""

    def __init__(self, pod: Manifest, seed: int, start: float) -> None:
        ident = pod_identity(pod)
        self.profile: ImageProfile = profile_for(pod["spec"]["containers"][0].get("image", ""))
        self.start = start
        self.wave = Wave.seeded(seed, "traffic", ident["namespace"], ident["pod"])
        self._base = self.wave.integral(start)
        p50 = max(self.profile.p50_ms, 0.1) / 1000
        p99 = max(self.profile.p99_ms, self.profile.p50_ms * 1.01, 0.2) / 1000
        self._mu = math.log(p50)
        self._sigma = math.log(p99 / p50) / 2.3263
        self._mean = math.exp(self._mu + self._sigma**2 / 2)
        self._fractions = [normal_cdf((math.log(le) - self._mu) / self._sigma) for le in BUCKETS]
        names: list[Labels] = []
        for code in ("200", *(c for c, _ in _ERROR_CODES)):
            names.append(labels_of({"__name__": "model_requests_total", **ident, "code": code}))
        for le in (*BUCKETS, math.inf):
            le_text = "+Inf" if math.isinf(le) else repr(le)
            names.append(labels_of({"__name__": "model_request_duration_seconds_bucket",
                                    **ident, "le": le_text}))
        names.append(labels_of({"__name__": "model_request_duration_seconds_sum", **ident}))
        names.append(labels_of({"__name__": "model_request_duration_seconds_count", **ident}))
        self.labels = names

    def columns(self, wanted: Sequence[int], times: Sequence[float]) -> list[list[float]]:
        rps, base = self.profile.rps, self._base
        totals = [math.floor(rps * (i - base)) for i in self.wave.integrals(times)]
        ratio = self.profile.error_ratio
        errors = [math.floor(total * ratio) for total in totals]
        share = _ERROR_CODES[0][1]
        out: list[list[float]] = []
        for i in wanted:
            if i == 0:
                out.append([float(t - e) for t, e in zip(totals, errors, strict=True)])
            elif i == 1:
                out.append([float(math.floor(e * share)) for e in errors])
            elif i == 2:
                out.append([float(e - math.floor(e * share)) for e in errors])
            elif i - 3 < len(self._fractions):
                f = self._fractions[i - 3]
                out.append([float(math.floor(total * f)) for total in totals])
            elif i == len(self.labels) - 2:
                out.append([total * self._mean for total in totals])
            else:
                out.append([float(total) for total in totals])
        return out


class PodContainers(SeriesGroup):
    """``container_cpu_usage_seconds_total`` and ``container_memory_working_set_bytes``
    of each container of one running pod (cAdvisor's names and labels)."""

    def __init__(self, pod: Manifest, seed: int, start: float) -> None:
        meta, spec = pod["metadata"], pod["spec"]
        self.start = start
        self._cores: list[float] = []
        self._memory: list[float] = []
        self._waves: list[Wave] = []
        names: list[Labels] = []
        for c in spec.get("containers", ()):
            requests = {**(c.get("resources", {}).get("limits") or {}),
                        **(c.get("resources", {}).get("requests") or {})}
            busy = 0.3 + 0.4 * profile_for(c.get("image", "")).gpu_util
            cpu = milli(requests["cpu"]) / 1000 if "cpu" in requests else _DEFAULT_CPU
            mem = milli(requests["memory"]) / 1000 if "memory" in requests else _DEFAULT_MEMORY
            self._cores.append(cpu * busy)
            self._memory.append(mem * 0.72)
            self._waves.append(Wave.seeded(seed, "cpu", meta["name"], c["name"]))
            common = {"namespace": meta.get("namespace", ""), "pod": meta["name"],
                      "container": c["name"], "image": c.get("image", ""),
                      "node": spec.get("nodeName", "")}
            names.append(labels_of({"__name__": "container_cpu_usage_seconds_total", **common}))
            names.append(labels_of({"__name__": "container_memory_working_set_bytes", **common}))
        self.labels = names
        self._base = [w.integral(start) for w in self._waves]

    def columns(self, wanted: Sequence[int], times: Sequence[float]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in wanted:
            c = i // 2
            wave = self._waves[c]
            if i % 2 == 0:
                cores, base = self._cores[c], self._base[c]
                out.append([round(cores * (w - base), 3) for w in wave.integrals(times)])
            else:
                mem = self._memory[c]
                out.append([float(math.floor(mem * (0.97 + 0.03 * w)))
                            for w in wave.values(times)])
        return out
