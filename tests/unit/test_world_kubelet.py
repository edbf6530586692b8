"""The kubelet simulation: start-up, readiness, crash loops with back-off, OOM kills."""

from __future__ import annotations

from console.sandbox.store import Manifest
from console.sandbox.world import World
from tests.unit.worldkit import add_deployment, add_node, bare_world, pods_of

CRASHING = "registry.acme.ai/serving/sdxl-server:2.1.0"
OOM = "nvcr.io/nvidia/pytorch:24.07-py3"


def _one_pod(world: World, name: str) -> Manifest:
    [pod] = pods_of(world, f"{name}-")
    return pod


def _container(world: World, name: str) -> dict:
    return _one_pod(world, name)["status"]["containerStatuses"][0]


def _world_with(image: str, name: str = "app") -> World:
    world = bare_world()
    add_node(world, "node-1")
    add_deployment(world, name, replicas=1, image=image)
    return world


def test_a_pod_creates_its_container_then_runs_and_becomes_ready() -> None:
    world = _world_with("registry.example/app:1.0")
    world.step(0.1)
    waiting = _container(world, "app")
    assert waiting["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert _one_pod(world, "app")["status"]["phase"] == "Pending"
    world.step(3)
    running = _container(world, "app")
    assert "running" in running["state"] and running["ready"] is False
    assert _one_pod(world, "app")["status"]["phase"] == "Running"
    world.step(10)
    assert _container(world, "app")["ready"] is True
    ready = next(c for c in _one_pod(world, "app")["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True"


def test_a_crashing_container_backs_off_10s_doubling_to_5_minutes() -> None:
    world = _world_with(CRASHING)
    delays: list[str] = []
    for _ in range(40 * 60):
        world.step(1)
        status = _container(world, "app")
        if status["restartCount"] > len(delays):
            delays.append(status["state"]["waiting"]["message"].split()[1])
    assert delays[:8] == ["10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s", "5m0s"]
    last = _container(world, "app")["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (1, "Error")
    backoffs = [e for e in world.store.list("events", "default") if e["reason"] == "BackOff"]
    assert backoffs[0]["type"] == "Warning" and backoffs[0]["count"] >= 8


def test_a_crash_looping_pod_reports_crash_loop_back_off_and_is_never_ready() -> None:
    world = _world_with(CRASHING)
    world.step(60)
    status = _container(world, "app")
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["ready"] is False
    assert _one_pod(world, "app")["status"]["phase"] == "Running"


def test_an_out_of_memory_container_is_oom_killed_with_exit_code_137() -> None:
    world = _world_with(OOM, name="train")
    world.step(120)
    status = _container(world, "train")
    assert status["lastState"]["terminated"]["reason"] == "OOMKilled"
    assert status["lastState"]["terminated"]["exitCode"] == 137
    assert status["restartCount"] >= 1


def test_pods_get_their_qos_class_and_addresses_from_the_node() -> None:
    world = _world_with("registry.example/app:1.0")
    world.step(5)
    status = _one_pod(world, "app")["status"]
    assert status["qosClass"] == "Burstable"
    node = world.store.get("nodes", "", "node-1")
    assert status["hostIP"] == node["status"]["addresses"][0]["address"]
    assert status["podIP"].startswith(node["spec"]["podCIDR"].rsplit(".", 1)[0] + ".")


def test_starting_a_pod_records_the_kubelet_events_in_order() -> None:
    world = _world_with("registry.example/app:1.0")
    world.step(5)
    pod = _one_pod(world, "app")["metadata"]["name"]
    reasons = [e["reason"] for e in world.store.list("events", "default")
               if e["involvedObject"]["name"] == pod]
    assert sorted(reasons) == sorted(["Scheduled", "Pulling", "Pulled", "Created", "Started"])
