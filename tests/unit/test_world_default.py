"""The default world: its contents, determinism for a seed, and growth for benchmarks."""

from __future__ import annotations

from collections import Counter

import pytest

from console.sandbox.catalog import IMAGES, profile_for
from console.sandbox.store import ObjectStore
from console.sandbox.world import World


@pytest.fixture(scope="module")
def world() -> World:
    w = World(ObjectStore(), seed=7)
    w.populate()
    return w


def _names(store: ObjectStore, kind: str) -> list[str]:
    return [f"{o['metadata'].get('namespace', '')}/{o['metadata']['name']}"
            for o in store.list(kind)]


def test_the_same_seed_builds_the_same_world() -> None:
    first, second = World(ObjectStore(), seed=7), World(ObjectStore(), seed=7)
    first.populate()
    second.populate()
    for kind in ("nodes", "deployments", "replicasets", "pods", "services"):
        assert _names(first.store, kind) == _names(second.store, kind)


def test_another_seed_names_its_pods_differently() -> None:
    first, second = World(ObjectStore(), seed=7), World(ObjectStore(), seed=8)
    first.populate()
    second.populate()
    assert _names(first.store, "deployments") == _names(second.store, "deployments")
    assert _names(first.store, "pods") != _names(second.store, "pods")


def test_the_default_world_has_gpu_mig_shared_and_cpu_nodes(world: World) -> None:
    nodes = world.store.list("nodes")
    assert len(nodes) >= 12
    alloc = [n["status"]["allocatable"] for n in nodes]
    assert sum(1 for a in alloc if a.get("nvidia.com/gpu") == "8") >= 4
    assert any("nvidia.com/mig-1g.10gb" in a and "nvidia.com/mig-3g.40gb" in a for a in alloc)
    assert any("nvidia.com/gpu.shared" in a for a in alloc)
    gpu_nodes = [n for n in nodes if n["metadata"]["labels"].get("nvidia.com/gpu.present")]
    assert all({"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
               in n["spec"]["taints"] for n in gpu_nodes)
    assert all(n["status"]["nodeInfo"]["kubeletVersion"].startswith("v1.") for n in nodes)


def test_every_deployment_has_a_service_and_runs_a_catalogued_image(world: World) -> None:
    services = {(s["metadata"]["namespace"], s["metadata"]["name"])
                for s in world.store.list("services")}
    for d in world.store.list("deployments"):
        ns = d["metadata"]["namespace"]
        app = d["spec"]["template"]["metadata"]["labels"]["app"]
        assert (ns, app) in services or (ns, "kube-dns") in services
        for c in d["spec"]["template"]["spec"]["containers"]:
            assert c["image"] in IMAGES


def test_the_bad_mistral_release_is_revision_3_after_a_good_revision_2(world: World) -> None:
    rses = [rs for rs in world.store.list("replicasets", "serving")
            if rs["metadata"]["name"].startswith("mistral-7b-chat-")]
    by_rev = {int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]): rs
              for rs in rses}
    assert sorted(by_rev) == [1, 2, 3]
    bad = by_rev[3]["spec"]["template"]["spec"]["containers"][0]["image"]
    good = by_rev[2]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert bad.endswith(":v0.9.1-rc2") and profile_for(bad).error_ratio > 0.15
    assert profile_for(good).error_ratio < 0.01
    assert by_rev[3]["spec"]["replicas"] == 4 and by_rev[2]["spec"]["replicas"] == 0
    assert "v0.9.1-rc2" in by_rev[3]["metadata"]["annotations"]["kubernetes.io/change-cause"]


def test_the_canary_sits_beside_stable_behind_one_service(world: World) -> None:
    stable = world.store.get("deployments", "serving", "llama3-70b-instruct")
    canary = world.store.get("deployments", "serving", "llama3-70b-instruct-canary")
    assert stable and canary
    assert stable["spec"]["template"]["metadata"]["labels"]["track"] == "stable"
    assert canary["spec"]["template"]["metadata"]["labels"]["track"] == "canary"
    svc = world.store.get("services", "serving", "llama3-70b-instruct")
    assert svc and svc["spec"]["selector"] == {"app": "llama3-70b-instruct"}
    assert canary["status"]["readyReplicas"] == 1


def test_the_default_world_has_a_crash_loop_an_oom_kill_and_idle_gpus(world: World) -> None:
    statuses = {p["metadata"]["name"]: p["status"] for p in world.store.list("pods")}
    reasons = Counter()
    for status in statuses.values():
        for c in status.get("containerStatuses", ()):
            reasons[c["state"].get("waiting", {}).get("reason", "")] += 1
            reasons[c["lastState"].get("terminated", {}).get("reason", "")] += 1
    assert reasons["CrashLoopBackOff"] >= 1
    assert reasons["OOMKilled"] >= 1
    notebook = world.store.get("pods", "training", "jupyter-asmith")
    assert notebook and notebook["status"]["phase"] == "Running"
    image = notebook["spec"]["containers"][0]["image"]
    assert profile_for(image).gpu_util < 0.05


def test_qos_classes_of_the_default_world_span_all_three(world: World) -> None:
    classes = {p["status"].get("qosClass") for p in world.store.list("pods")}
    assert classes == {"Guaranteed", "Burstable", "BestEffort"}


def test_a_grown_world_holds_about_5000_pods_on_200_nodes_nearly_all_running() -> None:
    """The CPU growing it costs is ``python -m bench.sandbox``."""
    world = World(ObjectStore(), pods=5000, nodes=200)
    world.populate()
    pods = world.store.list("pods")
    assert 4900 <= len(pods) <= 5100
    assert len(world.store.list("nodes")) == 200
    running = sum(1 for p in pods if p["status"]["phase"] == "Running")
    assert running >= len(pods) - 5
