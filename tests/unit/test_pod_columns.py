"""The Pods table says what matters about each pod."""

from __future__ import annotations

from datetime import UTC, datetime

from console.models import ContainerState, Pod
from screens.pod_columns import (
    gpu_text,
    owned_by_deployment,
    pod_columns,
    pod_status,
    pods_filter,
    status_tone,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def pod(name: str = "llama-7d9f-abcde", *containers: ContainerState, **fields: object) -> Pod:
    base: dict[str, object] = {
        "namespace": "serving", "name": name, "owner_kind": "ReplicaSet",
        "owner_name": "llama-7d9f", "labels": {"pod-template-hash": "7d9f"}, "phase": "Running",
        "created": datetime(2024, 5, 1, 11, 55, tzinfo=UTC), "node": "gpu-1",
        "qos_class": "Guaranteed",
    }  # fmt: skip
    return Pod(**{**base, **fields}, containers=containers or (running(),))


def running(**fields: object) -> ContainerState:
    return ContainerState(**{"name": "server", "image": "llama:2", "state": "running",
                             "ready": True, **fields})  # fmt: skip


def test_a_crash_looping_pod_says_why_its_container_last_died() -> None:
    oom = running(state="waiting", reason="CrashLoopBackOff", ready=False, restarts=7,
                  last_terminated_reason="OOMKilled")  # fmt: skip
    crashing = pod("x", oom)
    assert pod_status(crashing) == "CrashLoopBackOff (OOMKilled)"
    assert status_tone(crashing) == "error"


def test_an_unschedulable_pod_shows_the_schedulers_message() -> None:
    waiting = running(state="waiting", reason="", ready=False)
    message = "0/8 nodes are available: 8 Insufficient nvidia.com/gpu"
    pending = pod("x", waiting, phase="Pending", node="", scheduling_message=message)
    assert pod_status(pending) == f"Pending: {message}"
    assert status_tone(pending) == "warning"


def test_an_image_pull_failure_is_an_error() -> None:
    pulling = pod("x", running(state="waiting", reason="ImagePullBackOff", ready=False))
    assert (pod_status(pulling), status_tone(pulling)) == ("ImagePullBackOff", "error")


def test_a_running_pod_with_every_container_ready_is_ok() -> None:
    assert status_tone(pod()) == "ok"
    assert status_tone(pod("x", running(), running(name="side", ready=False))) == "warning"


def test_gpu_requests_name_mig_slices_and_shared_gpus() -> None:
    full = pod("a", running(limits={"nvidia.com/gpu": "2"}))
    mig = pod("b", running(requests={"nvidia.com/mig-1g.10gb": "1"}))
    shared = pod("c", running(requests={"nvidia.com/gpu.shared": "1"}))
    assert [gpu_text(p) for p in (full, mig, shared, pod())] == [
        "2",
        "1 mig-1g.10gb",
        "1 shared",
        "",
    ]


def test_the_columns_render_one_pod_row() -> None:
    columns = pod_columns(lambda: NOW, namespaces=True)
    cells = {c.key: c.cell(pod()) for c in columns}
    assert cells == {
        "namespace": "serving", "name": "llama-7d9f-abcde", "ready": "1/1", "status": "Running",
        "restarts": "0", "node": "gpu-1", "qos": "Guaranteed", "gpu": "", "age": "5m",
    }  # fmt: skip


def test_a_pod_belongs_to_the_deployment_whose_replicaset_owns_it() -> None:
    assert owned_by_deployment(pod(), "llama")
    assert not owned_by_deployment(pod(owner_name="llama-canary-7d9f"), "llama")
    assert not owned_by_deployment(pod(owner_kind="StatefulSet"), "llama")


def test_the_filter_narrows_by_owner_namespace_and_text() -> None:
    keep = pods_filter("llama", "serving", "gpu-1")
    assert keep is not None and keep(pod())
    assert not keep(pod(node="gpu-2"))
    assert not keep(pod(namespace="batch"))
    assert pods_filter(None, "", " ") is None


def test_the_filter_can_keep_only_the_pods_on_one_node() -> None:
    keep = pods_filter(None, "", "", node="gpu-1")
    assert keep is not None and keep(pod()) and keep(pod(namespace="batch"))
    assert not keep(pod(node="gpu-2"))
