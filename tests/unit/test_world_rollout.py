"""The deployment controller: rolling updates, revisions, rollback, pause, history limit."""

from __future__ import annotations

from console.sandbox.objects import is_ready
from tests.unit.worldkit import (
    add_deployment,
    add_node,
    bare_world,
    owned_replicasets,
    patch_deployment,
    pods_of,
    revision_of,
)


def _world(replicas: int = 4, **spec: object):
    world = bare_world()
    add_node(world, "cpu-1")
    add_node(world, "cpu-2")
    add_deployment(world, "web", replicas=replicas, **spec)
    world.step(60)
    return world


def _status(world) -> dict:
    d = world.store.get("deployments", "default", "web")
    return d["status"]


def test_a_new_deployment_gets_one_replicaset_named_after_its_template_hash() -> None:
    world = _world()
    [rs] = owned_replicasets(world, "web")
    pth = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{pth}"
    assert 8 <= len(pth) <= 10
    assert rs["spec"]["selector"]["matchLabels"]["pod-template-hash"] == pth
    assert revision_of(rs) == 1
    pods = pods_of(world, "web-")
    assert len(pods) == 4 and all(is_ready(p) for p in pods)
    assert all(p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"] for p in pods)
    status = _status(world)
    assert (status["replicas"], status["readyReplicas"], status["availableReplicas"]) == (4, 4, 4)
    assert [c["reason"] for c in status["conditions"]] == [
        "MinimumReplicasAvailable", "NewReplicaSetAvailable"]


def test_a_new_template_rolls_out_to_a_new_replicaset_with_the_next_revision() -> None:
    world = _world()
    patch_deployment(world, "web", image="registry.example/app:2.0", change_cause="v2")
    world.step(120)
    old, new = owned_replicasets(world, "web")
    assert (revision_of(old), revision_of(new)) == (1, 2)
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (0, 4)
    assert new["metadata"]["annotations"]["kubernetes.io/change-cause"] == "v2"
    d = world.store.get("deployments", "default", "web")
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert d["status"]["updatedReplicas"] == 4
    assert d["status"]["observedGeneration"] == d["metadata"]["generation"]
    scaled = [e["message"] for e in world.store.list("events", "default")
              if e["reason"] == "ScalingReplicaSet"]
    assert f"Scaled up replica set {new['metadata']['name']} to 1 from 0" in scaled


def test_a_rolling_update_stays_within_max_surge_and_max_unavailable() -> None:
    world = _world(replicas=8)
    patch_deployment(world, "web", image="registry.example/app:2.0")
    for _ in range(90):
        world.step(1)
        rses = owned_replicasets(world, "web")
        assert sum(rs["spec"]["replicas"] for rs in rses) <= 8 + 2
        ready = sum(1 for p in pods_of(world, "web-") if is_ready(p))
        assert ready >= 8 - 2
    assert [rs["spec"]["replicas"] for rs in owned_replicasets(world, "web")] == [0, 8]


def test_a_rollback_reuses_the_old_replicaset_with_a_new_revision() -> None:
    world = _world()
    [first] = owned_replicasets(world, "web")
    original = first["spec"]["template"]["spec"]["containers"][0]["image"]
    patch_deployment(world, "web", image="registry.example/app:2.0")
    world.step(120)
    patch_deployment(world, "web", image=original)
    world.step(120)
    rses = owned_replicasets(world, "web")
    assert len(rses) == 2
    second, reused = rses
    assert reused["metadata"]["name"] == first["metadata"]["name"]
    assert (revision_of(second), revision_of(reused)) == (2, 3)
    assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert (second["spec"]["replicas"], reused["spec"]["replicas"]) == (0, 4)


def test_a_paused_deployment_does_not_roll_but_still_scales() -> None:
    world = _world()
    patch_deployment(world, "web", paused=True)
    patch_deployment(world, "web", image="registry.example/app:2.0")
    world.step(60)
    [rs] = owned_replicasets(world, "web")
    assert revision_of(rs) == 1
    progressing = _status(world)["conditions"][1]
    assert (progressing["status"], progressing["reason"]) == ("Unknown", "DeploymentPaused")
    patch_deployment(world, "web", replicas=6)
    world.step(30)
    [rs] = owned_replicasets(world, "web")
    assert rs["spec"]["replicas"] == 6
    patch_deployment(world, "web", paused=False)
    world.step(120)
    assert [revision_of(rs) for rs in owned_replicasets(world, "web")] == [1, 2]


def test_revision_history_limit_prunes_the_oldest_empty_replicasets() -> None:
    world = _world(revisionHistoryLimit=1)
    for tag in ("2.0", "3.0", "4.0"):
        patch_deployment(world, "web", image=f"registry.example/app:{tag}")
        world.step(120)
    assert [revision_of(rs) for rs in owned_replicasets(world, "web")] == [3, 4]


def test_scaling_down_removes_pods_and_updates_status() -> None:
    world = _world()
    patch_deployment(world, "web", replicas=1)
    world.step(5)
    assert len(pods_of(world, "web-")) == 1
    assert _status(world)["replicas"] == 1


def test_a_rollout_that_never_becomes_ready_exceeds_its_progress_deadline() -> None:
    world = _world(progressDeadlineSeconds=120)
    patch_deployment(world, "web", image="registry.acme.ai/serving/sdxl-server:2.1.0")
    world.step(200)
    progressing = _status(world)["conditions"][1]
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")
    old, _new = owned_replicasets(world, "web")
    assert old["spec"]["replicas"] == 3


def test_deleting_a_deployment_deletes_its_replicasets_and_pods() -> None:
    world = _world()
    world.store.delete("deployments", "default", "web")
    world.step(1)
    assert owned_replicasets(world, "web") == []
    assert pods_of(world, "web-") == []


def test_a_rollback_template_without_null_fields_still_matches_its_old_replicaset() -> None:
    world = _world()
    [first] = owned_replicasets(world, "web")
    patch_deployment(world, "web", image="registry.example/app:2.0")
    world.step(120)
    template = {**first["spec"]["template"]}
    labels = {k: v for k, v in template["metadata"]["labels"].items() if k != "pod-template-hash"}
    template["metadata"] = {"labels": labels}
    patch_deployment(world, "web", template=template)
    world.step(120)
    assert [rs["metadata"]["name"] for rs in owned_replicasets(world, "web")][-1] == (
        first["metadata"]["name"])


def test_a_deployment_the_controller_cannot_read_does_not_stop_the_others() -> None:
    world = _world()
    broken = add_deployment(world, "broken", replicas=1)
    world.store.update("deployments", {**broken, "spec": {**broken["spec"], "selector": None}})
    add_deployment(world, "fine", replicas=1)
    world.step(30)
    assert len(pods_of(world, "fine-")) == 1
