"""The Prometheus text exposition format (version 0.0.4) of the sandbox's series."""

from __future__ import annotations

from collections.abc import Iterable

from console.sandbox.promql import Labels, format_value

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: Family name -> (type, help). Histogram families list their base name.
FAMILIES: dict[str, tuple[str, str]] = {
    "model_requests_total": ("counter", "Requests answered by the model server, by status code."),
    "model_request_duration_seconds": ("histogram", "Time to answer a request."),
    "container_cpu_usage_seconds_total": ("counter", "Cumulative CPU time consumed."),
    "container_memory_working_set_bytes": ("gauge", "Current working set of the container."),
    "DCGM_FI_DEV_GPU_UTIL": ("gauge", "GPU utilization (in %)."),
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE": ("gauge", "Ratio of time the graphics engine is active."),
    "DCGM_FI_DEV_FB_USED": ("gauge", "Framebuffer memory used (in MiB)."),
    "DCGM_FI_DEV_FB_FREE": ("gauge", "Framebuffer memory free (in MiB)."),
    "DCGM_FI_DEV_GPU_TEMP": ("gauge", "GPU temperature (in C)."),
    "DCGM_FI_DEV_POWER_USAGE": ("gauge", "Power draw (in W)."),
    "kube_pod_info": ("gauge", "Information about pod."),
    "kube_pod_status_ready": ("gauge", "Describes whether the pod is ready to serve requests."),
    "kube_pod_status_phase": ("gauge", "The pods current phase."),
    "kube_pod_container_status_restarts_total": (
        "counter", "The number of container restarts per container."),
    "kube_pod_container_status_waiting_reason": (
        "gauge", "Describes the reason the container is currently in waiting state."),
    "kube_pod_container_resource_requests": (
        "gauge", "The number of requested request resource by a container."),
    "kube_deployment_spec_replicas": ("gauge", "Number of desired pods for a deployment."),
    "kube_deployment_status_replicas": ("gauge", "The number of replicas per deployment."),
    "kube_deployment_status_replicas_available": (
        "gauge", "The number of available replicas per deployment."),
    "kube_deployment_status_replicas_updated": (
        "gauge", "The number of updated replicas per deployment."),
    "kube_deployment_status_replicas_unavailable": (
        "gauge", "The number of unavailable replicas per deployment."),
    "kube_deployment_status_observed_generation": (
        "gauge", "The generation observed by the deployment controller."),
    "kube_deployment_metadata_generation": (
        "gauge", "Sequence number representing a specific generation of the desired state."),
    "kube_node_spec_unschedulable": (
        "gauge", "Whether a node can schedule new pods."),
    "kube_node_status_condition": ("gauge", "The condition of a cluster node."),
    "kube_node_status_allocatable": (
        "gauge", "The allocatable for different resources of a node."),
}
_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def family_of(name: str) -> str:
    """The family a sample name belongs to (``x_bucket`` -> ``x`` for histograms)."""
    for suffix in _HISTOGRAM_SUFFIXES:
        base = name.removesuffix(suffix)
        if base != name and FAMILIES.get(base, ("",))[0] == "histogram":
            return base
    return name


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render(samples: Iterable[tuple[Labels, float]]) -> str:
    """The exposition of ``samples``: each family's ``# HELP`` and ``# TYPE`` lines
    followed by its samples, families in name order, no timestamps."""
    families: dict[str, list[str]] = {}
    for labels, value in samples:
        name = ""
        pairs = []
        for k, v in labels:
            if k == "__name__":
                name = v
            else:
                pairs.append(f'{k}="{_escape(v)}"')
        body = "{" + ",".join(pairs) + "}" if pairs else ""
        families.setdefault(family_of(name), []).append(f"{name}{body} {format_value(value)}")
    out: list[str] = []
    for family in sorted(families):
        kind, text = FAMILIES.get(family, ("untyped", ""))
        out.append(f"# HELP {family} {text}")
        out.append(f"# TYPE {family} {kind}")
        out.extend(sorted(families[family]))
    return "\n".join(out) + "\n"
