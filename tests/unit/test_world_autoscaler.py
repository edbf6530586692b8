"""The sandbox's HorizontalPodAutoscaler controller: bounds put back, CPU followed,
status and events written as the real controller writes them."""

from __future__ import annotations

from console.sandbox.autoscaler import DOWNSCALE_WINDOW, SYNC_PERIOD
from console.sandbox.builders import autoscaler
from console.sandbox.store import Manifest, ObjectStore
from console.sandbox.world import World
from tests.unit.worldkit import add_deployment, add_node, bare_world, patch_deployment

HPA = "horizontalpodautoscalers"


def scaled_world(replicas: int = 3, *, low: int = 2, high: int = 8, seed: int = 7) -> World:
    """A world with one node, ``default/api`` running ``replicas`` and an HPA on it."""
    world = bare_world(seed)
    add_node(world, "cpu-01")
    add_deployment(world, "api", replicas=replicas)
    world.store.create(HPA, autoscaler("default", "api", min_replicas=low, max_replicas=high,
                                       cpu_percent=70, created=world.now()))
    world.step(1)
    return world


def replicas(world: World, name: str = "api") -> int:
    d = world.store.get("deployments", "default", name)
    assert d is not None
    return int(d["spec"]["replicas"])


def hpa(world: World, name: str = "api") -> Manifest:
    found = world.store.get(HPA, "default", name)
    assert found is not None
    return found


def conditions(world: World) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in hpa(world)["status"]["conditions"]}


def rescales(world: World) -> list[str]:
    return [e["message"] for e in world.store.list("events", "default")
            if e["involvedObject"]["kind"] == "HorizontalPodAutoscaler"
            and e["reason"] == "SuccessfulRescale"]


def test_a_steady_target_keeps_its_replicas_and_reports_cpu_near_the_target() -> None:
    world = scaled_world(3)
    world.step(10 * SYNC_PERIOD)
    status = hpa(world)["status"]
    assert replicas(world) == 3
    assert (status["currentReplicas"], status["desiredReplicas"]) == (3, 3)
    current = status["currentMetrics"][0]["resource"]
    assert current["name"] == "cpu"
    assert 60 <= current["current"]["averageUtilization"] <= 72
    # 100m requested per pod: the average value is the utilisation of that request.
    assert current["current"]["averageValue"] == f"{current['current']['averageUtilization']}m"
    assert conditions(world) == {"AbleToScale": ("True", "ReadyForNewScale"),
                                 "ScalingActive": ("True", "ValidMetricFound"),
                                 "ScalingLimited": ("False", "DesiredWithinRange")}
    assert rescales(world) == []


def test_a_manual_scale_above_max_is_put_back_on_the_next_sync() -> None:
    world = scaled_world(3)
    patch_deployment(world, "api", replicas=12)
    world.step(1)
    assert replicas(world) == 12  # not at once: the controller syncs on its period
    world.step(SYNC_PERIOD)
    assert replicas(world) == 8
    status = hpa(world)["status"]
    assert (status["currentReplicas"], status["desiredReplicas"]) == (12, 8)
    assert "lastScaleTime" in status
    assert conditions(world)["ScalingLimited"] == ("True", "TooManyReplicas")
    assert rescales(world) == [
        "New size: 8; reason: Current number of replicas above Spec.MaxReplicas"]


def test_a_manual_scale_below_min_is_put_back_on_the_next_sync() -> None:
    world = scaled_world(3)
    patch_deployment(world, "api", replicas=1)
    world.step(SYNC_PERIOD + 1)
    assert replicas(world) == 2
    assert rescales(world) == [
        "New size: 2; reason: Current number of replicas below Spec.MinReplicas"]


def test_a_manual_scale_up_within_range_is_undone_as_the_cpu_per_pod_falls() -> None:
    world = scaled_world(3)
    world.step(DOWNSCALE_WINDOW)
    patch_deployment(world, "api", replicas=6)
    world.step(SYNC_PERIOD + 1)
    assert replicas(world) == 3
    assert rescales(world) == ["New size: 3; reason: All metrics below target"]


def test_a_higher_load_is_met_by_scaling_up_within_max() -> None:
    world = scaled_world(4)
    patch_deployment(world, "api", replicas=2)  # the same demand on half the pods
    world.step(SYNC_PERIOD + 1)
    assert replicas(world) == 4
    assert "above target" in rescales(world)[0]


def test_a_paused_target_is_not_fought_over() -> None:
    world = scaled_world(3)
    patch_deployment(world, "api", replicas=12, paused=True)
    world.step(3 * SYNC_PERIOD)
    assert replicas(world) == 12
    assert hpa(world)["status"]["desiredReplicas"] == 8


def test_a_target_scaled_to_zero_disables_scaling() -> None:
    world = scaled_world(3)
    patch_deployment(world, "api", replicas=0)
    world.step(3 * SYNC_PERIOD)
    assert replicas(world) == 0
    assert conditions(world)["ScalingActive"] == ("False", "ScalingDisabled")


def test_an_absent_target_is_reported_not_created() -> None:
    world = bare_world()
    world.store.create(HPA, autoscaler("default", "ghost", min_replicas=2, max_replicas=4,
                                       cpu_percent=70, created=world.now()))
    world.step(2 * SYNC_PERIOD)
    assert world.store.get("deployments", "default", "ghost") is None
    able = hpa(world, "ghost")["status"]["conditions"][0]
    assert (able["type"], able["status"], able["reason"]) == ("AbleToScale", "False",
                                                             "FailedGetScale")
    assert 'deployments.apps "ghost" not found' in able["message"]


def test_a_deleted_hpa_stops_syncing_its_target() -> None:
    world = scaled_world(3)
    world.store.delete(HPA, "default", "api")
    patch_deployment(world, "api", replicas=12)
    world.step(3 * SYNC_PERIOD)
    assert replicas(world) == 12


def test_the_cpu_figures_are_the_same_for_the_same_seed() -> None:
    def figures(seed: int) -> list[int]:
        world = scaled_world(3, seed=seed)
        out = []
        for _ in range(8):
            world.step(60)
            out.append(hpa(world)["status"]["currentMetrics"][0]["resource"]["current"][
                "averageUtilization"])
        return out

    assert figures(7) == figures(7)
    assert figures(7) != figures(8)


def test_the_default_world_autoscales_two_serving_deployments_at_their_counts() -> None:
    world = World(ObjectStore(), seed=7)
    world.populate()
    targets = {(h["metadata"]["namespace"], h["spec"]["scaleTargetRef"]["name"]):
               (h["spec"]["minReplicas"], h["spec"]["maxReplicas"])
               for h in world.store.list(HPA)}
    assert targets == {("serving", "llm-gateway"): (2, 8), ("serving", "embeddings-bge"): (2, 6)}
    for name in ("llm-gateway", "embeddings-bge"):
        d = world.store.get("deployments", "serving", name)
        assert d is not None and d["spec"]["replicas"] == 3
        status = world.store.get(HPA, "serving", name)["status"]  # type: ignore[index]
        assert status["currentReplicas"] == status["desiredReplicas"] == 3
