"""Raw Kubernetes manifests (tests/data/kube/*.json) parsed into the slim models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from adapters.base import Kind
from adapters.kube_parse import (
    parse,
    parse_deployment,
    parse_event,
    parse_namespace,
    parse_node,
    parse_pod,
    parse_replicaset,
    parse_service,
)

DATA = Path(__file__).parent.parent / "data" / "kube"


def manifest(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text())  # type: ignore[no-any-return]


FIXTURES = [
    (Kind.POD, "pod_crashloop"),
    (Kind.POD, "pod_unschedulable"),
    (Kind.DEPLOYMENT, "deployment"),
    (Kind.NODE, "node_gpu"),
    (Kind.REPLICASET, "replicaset"),
    (Kind.SERVICE, "service"),
    (Kind.EVENT, "event"),
    (Kind.NAMESPACE, "namespace"),
]


@pytest.mark.parametrize(("kind", "name"), FIXTURES)
def test_every_parsed_model_survives_full_validation_unchanged(kind: Kind, name: str) -> None:
    obj = parse(kind, manifest(name))
    validated = type(obj).model_validate(obj.model_dump())
    assert validated == obj
    assert set(obj.__dict__) == set(type(obj).model_fields)
    assert obj.model_dump() == validated.model_dump()


def test_a_crash_looping_pod_merges_container_spec_and_status_by_name() -> None:
    pod = parse_pod(manifest("pod_crashloop"))
    assert pod.key == "inference/llama-70b-7c9f8d6b5d-x2k4q"
    assert [c.name for c in pod.containers] == ["server", "metrics"]
    server, metrics = pod.containers
    assert server.image == "registry.local/serving/vllm:0.4.2"
    assert server.requests == {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": "2"}
    assert server.limits == {"memory": "64Gi", "nvidia.com/gpu": "2"}
    assert (server.state, server.reason, server.ready, server.restarts) == (
        "waiting",
        "CrashLoopBackOff",
        False,
        7,
    )
    assert server.message.startswith("back-off 5m0s restarting failed container=server")
    assert server.last_terminated_reason == "OOMKilled"
    assert (metrics.state, metrics.ready) == ("running", True)
    assert metrics.started == datetime(2024, 5, 1, 9, 14, 5, tzinfo=UTC)
    assert pod.status == "CrashLoopBackOff"
    assert pod.restarts == 7
    assert pod.ready_count == 1
    assert pod.gpu_request == {"nvidia.com/gpu": 2}


def test_a_pod_carries_its_node_phase_qos_owner_and_ip() -> None:
    pod = parse_pod(manifest("pod_crashloop"))
    assert (pod.node, pod.phase, pod.qos_class, pod.pod_ip) == (
        "gpu-a100-03",
        "Running",
        "Burstable",
        "10.244.3.17",
    )
    assert (pod.owner_kind, pod.owner_name) == ("ReplicaSet", "llama-70b-7c9f8d6b5d")
    assert pod.labels["pod-template-hash"] == "7c9f8d6b5d"
    assert pod.resource_version == "48211"
    assert pod.created == datetime(2024, 5, 1, 9, 12, 44, tzinfo=UTC)
    assert not pod.deleting


def test_completed_init_containers_are_parsed_with_their_terminated_state() -> None:
    (init,) = parse_pod(manifest("pod_crashloop")).init_containers
    assert (init.name, init.state, init.reason, init.ready) == (
        "fetch-weights",
        "terminated",
        "Completed",
        True,
    )
    assert init.requests == {"cpu": "500m", "memory": "512Mi"}


def test_an_unschedulable_pod_says_why_and_a_deleted_one_is_terminating() -> None:
    pod = parse_pod(manifest("pod_unschedulable"))
    assert pod.scheduling_message.startswith("0/12 nodes are available: 12 Insufficient")
    assert pod.deleting
    assert pod.status == "Terminating"
    assert pod.node == ""
    assert pod.owner_kind == ""
    (trainer,) = pod.containers
    assert (trainer.state, trainer.reason, trainer.restarts) == ("waiting", "", 0)
    assert pod.gpu_request == {"nvidia.com/gpu": 8}


def test_a_scheduled_pod_has_no_scheduling_message() -> None:
    raw = manifest("pod_crashloop")
    raw["status"]["conditions"][0]["message"] = "should not be shown"
    assert parse_pod(raw).scheduling_message == ""


def test_a_terminated_container_without_a_reason_reports_its_exit_code_or_signal() -> None:
    raw = manifest("pod_crashloop")
    statuses = raw["status"]["containerStatuses"]
    statuses[0]["state"] = {"terminated": {"exitCode": 3}}
    statuses[1]["state"] = {"terminated": {"exitCode": 0, "signal": 9}}
    by_name = {c.name: c for c in parse_pod(raw).containers}
    assert by_name["metrics"].reason == "ExitCode:3"
    assert by_name["server"].reason == "Signal:9"


def test_a_controller_owner_reference_wins_over_other_owners() -> None:
    raw = manifest("pod_crashloop")
    raw["metadata"]["ownerReferences"].insert(
        0, {"apiVersion": "v1", "kind": "Node", "name": "gpu-a100-03", "uid": "x"}
    )
    assert parse_pod(raw).owner_kind == "ReplicaSet"


def test_a_deployment_carries_replicas_images_revision_and_conditions() -> None:
    dep = parse_deployment(manifest("deployment"))
    assert (dep.replicas, dep.ready, dep.updated, dep.available, dep.unavailable) == (4, 3, 2, 3, 2)
    assert dep.images == ("registry.local/serving/vllm:0.4.2", "registry.local/tools/exporter:2.1")
    assert dep.revision == 5
    assert (dep.generation, dep.observed_generation) == (6, 6)
    assert dep.selector == {"app": "llama-70b", "track": "stable"}
    assert dep.progressing_reason == "ProgressDeadlineExceeded"
    assert dep.available_condition
    assert not dep.paused
    assert dep.status == "degraded"


def test_the_last_applied_configuration_annotation_is_dropped_from_slim_models() -> None:
    dep = parse_deployment(manifest("deployment"))
    assert dep.annotations == {"deployment.kubernetes.io/revision": "5", "team": "serving"}


def test_a_fresh_deployment_without_status_has_zero_counts() -> None:
    raw = manifest("deployment")
    del raw["status"]
    raw["spec"]["paused"] = True
    dep = parse_deployment(raw)
    assert (dep.ready, dep.updated, dep.available, dep.observed_generation) == (0, 0, 0, 0)
    assert not dep.available_condition
    assert dep.status == "paused"


def test_a_gpu_node_has_roles_taints_allocatable_and_gpu_resources() -> None:
    node = parse_node(manifest("node_gpu"))
    assert node.key == "gpu-a100-03"
    assert node.ready
    assert node.unschedulable
    assert node.roles == ("gpu", "inference")
    assert [(t.key, t.value, t.effect) for t in node.taints] == [
        ("nvidia.com/gpu", "present", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "", "NoSchedule"),
    ]
    assert node.kubelet_version == "v1.29.4"
    assert node.cpu_millis == 95_500
    assert node.memory_bytes == 1031517052 * 1024
    assert node.gpu_resources == {"nvidia.com/gpu": 6, "nvidia.com/mig-1g.10gb": 7}
    assert node.gpu_product == "NVIDIA-A100-SXM4-80GB"
    assert node.gpu_mode == "mig"


def test_a_node_without_a_ready_condition_is_not_ready() -> None:
    raw = manifest("node_gpu")
    raw["status"]["conditions"] = [{"type": "Ready", "status": "Unknown"}]
    assert not parse_node(raw).ready


def test_a_replicaset_knows_its_deployment_revision_and_change_cause() -> None:
    rs = parse_replicaset(manifest("replicaset"))
    assert rs.owner_name == "llama-70b"
    assert (rs.revision, rs.replicas, rs.ready, rs.available) == (5, 2, 1, 1)
    assert rs.change_cause == "bump vllm to 0.4.2"
    assert rs.template_hash == "7c9f8d6b5d"
    assert rs.images[0] == "registry.local/serving/vllm:0.4.2"


def test_service_ports_read_as_kubectl_prints_them() -> None:
    svc = parse_service(manifest("service"))
    assert (svc.type, svc.cluster_ip) == ("NodePort", "10.96.14.7")
    assert svc.selector == {"app": "llama-70b"}
    assert svc.ports == ("8000:30800/TCP", "9400:31400/TCP")


def test_an_event_names_its_object_count_and_last_time_seen() -> None:
    ev = parse_event(manifest("event"))
    assert (ev.involved_kind, ev.involved_name, ev.involved_namespace) == (
        "Pod",
        "llama-70b-7c9f8d6b5d-x2k4q",
        "inference",
    )
    assert (ev.type, ev.reason, ev.count, ev.source) == ("Warning", "BackOff", 42, "kubelet")
    assert ev.last_seen == datetime(2024, 5, 1, 10, 20, 31, tzinfo=UTC)


def test_a_new_style_event_falls_back_to_its_series_and_event_time() -> None:
    raw = manifest("event")
    for key in ("lastTimestamp", "firstTimestamp", "count", "source"):
        raw.pop(key)
    raw["series"] = {"count": 5, "lastObservedTime": "2024-05-01T10:30:00.123456Z"}
    raw["eventTime"] = "2024-05-01T10:00:00.000000Z"
    ev = parse_event(raw)
    assert ev.count == 5
    assert ev.last_seen == datetime(2024, 5, 1, 10, 30, 0, 123456, tzinfo=UTC)
    assert ev.source == "kubelet"


def test_a_namespace_carries_its_phase() -> None:
    ns = parse_namespace(manifest("namespace"))
    assert (ns.key, ns.phase) == ("inference", "Terminating")


def test_a_minimal_object_parses_with_the_api_defaults() -> None:
    pod = parse_pod({"metadata": {"name": "bare", "namespace": "default"}})
    assert (pod.phase, pod.containers, pod.created, pod.labels) == ("Pending", (), None, {})
    dep = parse_deployment({"metadata": {"name": "bare", "namespace": "default"}})
    assert dep.replicas == 1


def test_parsed_models_are_frozen() -> None:
    pod = parse_pod(manifest("pod_crashloop"))
    assert isinstance(pod, BaseModel)
    with pytest.raises(ValueError, match="frozen"):
        pod.node = "elsewhere"
