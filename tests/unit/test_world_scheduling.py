"""The sandbox scheduler: capacity, GPU and MIG resources, taints, cordons, messages."""

from __future__ import annotations

from console.sandbox.builders import bare_pod, container, pod_spec
from console.sandbox.store import Manifest, ObjectStore
from console.sandbox.world import World
from tests.unit.worldkit import add_node, bare_world


def _submit(world: World, name: str, limits: dict[str, str], *, gpu: bool = True,
            selector: dict[str, str] | None = None) -> None:
    spec = pod_spec([container("main", "registry.example/app:1.0", limits=limits)],
                    gpu=gpu, node_selector=selector)
    world.store.create("pods", bare_pod("default", name, spec, labels={"app": name},
                                        created=world.now()))


def _pod(world: World, name: str) -> Manifest:
    pod = world.store.get("pods", "default", name)
    assert pod is not None
    return pod


def _scheduled(world: World, name: str) -> dict[str, str]:
    return next(c for c in _pod(world, name)["status"]["conditions"] if c["type"] == "PodScheduled")


def test_pods_share_a_gpu_node_only_up_to_its_gpu_count() -> None:
    world = bare_world()
    add_node(world, "gpu-1", extended={"nvidia.com/gpu": 8}, gpu_taint=True)
    for name in ("a", "b", "c"):
        _submit(world, name, {"nvidia.com/gpu": "3"})
    world.step(1)
    placed = [_pod(world, n)["spec"].get("nodeName") for n in ("a", "b", "c")]
    assert placed == ["gpu-1", "gpu-1", None]
    assert _scheduled(world, "c")["message"] == (
        "0/1 nodes are available: 1 Insufficient nvidia.com/gpu."
    )


def test_a_mig_slice_request_lands_only_on_a_node_with_that_profile() -> None:
    world = bare_world()
    add_node(world, "full", extended={"nvidia.com/gpu": 8}, gpu_taint=True)
    add_node(world, "mig", extended={"nvidia.com/mig-1g.10gb": 14}, gpu_taint=True)
    _submit(world, "embed", {"nvidia.com/mig-1g.10gb": "1"})
    world.step(1)
    assert _pod(world, "embed")["spec"]["nodeName"] == "mig"


def test_a_pod_without_the_gpu_toleration_stays_off_tainted_nodes() -> None:
    world = bare_world()
    add_node(world, "gpu-1", extended={"nvidia.com/gpu": 8}, gpu_taint=True)
    _submit(world, "untolerant", {"cpu": "1"}, gpu=False)
    world.step(1)
    assert "nodeName" not in _pod(world, "untolerant")["spec"]
    assert _scheduled(world, "untolerant")["message"] == (
        "0/1 nodes are available: 1 node(s) had untolerated taint {nvidia.com/gpu: present}."
    )


def test_a_cordoned_node_takes_no_new_pods_until_uncordoned() -> None:
    world = bare_world()
    node = add_node(world, "cpu-1")
    world.store.update("nodes", {**node, "spec": {**node["spec"], "unschedulable": True}})
    _submit(world, "web", {"cpu": "1"}, gpu=False)
    world.step(1)
    assert _scheduled(world, "web")["message"] == (
        "0/1 nodes are available: 1 node(s) were unschedulable."
    )
    node = world.store.get("nodes", "", "cpu-1")
    assert node is not None
    world.store.update("nodes", {**node, "spec": {**node["spec"], "unschedulable": False}})
    world.step(1)
    assert _pod(world, "web")["spec"]["nodeName"] == "cpu-1"


def test_a_pod_waiting_for_capacity_is_placed_when_capacity_frees_up() -> None:
    world = bare_world()
    add_node(world, "gpu-1", extended={"nvidia.com/gpu": 4}, gpu_taint=True)
    _submit(world, "first", {"nvidia.com/gpu": "4"})
    _submit(world, "second", {"nvidia.com/gpu": "4"})
    world.step(1)
    assert "nodeName" not in _pod(world, "second")["spec"]
    world.store.delete("pods", "default", "first")
    world.step(1)
    assert _pod(world, "second")["spec"]["nodeName"] == "gpu-1"


def test_cpu_and_memory_requests_count_against_allocatable() -> None:
    world = bare_world()
    add_node(world, "small", cpu=4, memory_gi=8)
    _submit(world, "big", {"cpu": "4", "memory": "1Gi"}, gpu=False)
    world.step(1)
    assert _scheduled(world, "big")["message"] == "0/1 nodes are available: 1 Insufficient cpu."


def test_the_default_world_explains_why_the_pretraining_job_fits_nowhere() -> None:
    world = World(ObjectStore())
    world.populate()
    pod = world.store.get("pods", "training", "pretrain-mixtral-8x22b-worker-0")
    assert pod is not None
    assert pod["status"]["phase"] == "Pending"
    cond = pod["status"]["conditions"][0]
    assert (cond["status"], cond["reason"]) == ("False", "Unschedulable")
    assert cond["message"] == (
        "0/14 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 4 Insufficient nvidia.com/gpu, "
        "9 node(s) didn't match Pod's node affinity/selector."
    )
    failed = [e for e in world.store.list("events", "training")
              if e["reason"] == "FailedScheduling"]
    assert failed and failed[0]["type"] == "Warning"
