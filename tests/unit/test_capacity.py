"""A node's allocation adds up its pods' requests the way kubectl describe node does."""

from __future__ import annotations

from console.capacity import (
    Allocation,
    NodeUsageIndex,
    Usage,
    allocation,
    pod_usage,
    usage_by_node,
)
from console.models import ContainerState, Node, Pod
from console.state import ChangeSet

GIB = 2**30


def container(
    requests: dict[str, str] | None = None, limits: dict[str, str] | None = None, name: str = "c"
) -> ContainerState:
    return ContainerState(name=name, image="img", requests=requests or {}, limits=limits or {})


def pod(
    name: str, *containers: ContainerState, node: str = "gpu-1", phase: str = "Running",
    init: tuple[ContainerState, ...] = (),
) -> Pod:  # fmt: skip
    return Pod(namespace="serving", name=name, node=node, phase=phase,
               containers=containers, init_containers=init)  # fmt: skip


def test_a_limit_without_a_request_counts_as_the_request() -> None:
    guaranteed = pod("a", container(limits={"cpu": "32", "memory": "256Gi", "nvidia.com/gpu": "4"}))
    assert pod_usage(guaranteed) == Usage(32_000, 256 * GIB, {"nvidia.com/gpu": 4}, pods=1)


def test_an_explicit_request_wins_over_the_limit() -> None:
    burstable = pod("a", container(requests={"cpu": "500m"}, limits={"cpu": "2"}))
    assert pod_usage(burstable).cpu_millis == 500


def test_containers_add_up_and_the_largest_init_container_can_dominate() -> None:
    app = (container({"cpu": "1", "memory": "1Gi"}), container({"cpu": "250m"}, name="side"))
    init = (container({"cpu": "4"}, name="warm"), container({"memory": "512Mi"}, name="fetch"))
    usage = pod_usage(pod("a", *app, init=init))
    assert (usage.cpu_millis, usage.memory_bytes) == (4_000, GIB)


def test_mig_profiles_and_shared_gpus_are_counted_per_resource() -> None:
    pods = [
        pod("emb-1", container(limits={"nvidia.com/mig-1g.10gb": "1"}), node="a100"),
        pod("emb-2", container(limits={"nvidia.com/mig-1g.10gb": "1"}), node="a100"),
        pod("llm", container(limits={"nvidia.com/mig-3g.40gb": "1"}), node="a100"),
        pod("whisper-1", container(limits={"nvidia.com/gpu.shared": "1"}), node="a10g"),
        pod("whisper-2", container(limits={"nvidia.com/gpu.shared": "1"}), node="a10g"),
    ]
    by_node = usage_by_node(pods)
    assert by_node["a100"].gpus == {"nvidia.com/mig-1g.10gb": 2, "nvidia.com/mig-3g.40gb": 1}
    assert by_node["a10g"].gpus == {"nvidia.com/gpu.shared": 2}
    assert by_node["a10g"].pods == 2


def test_terminated_and_unscheduled_pods_hold_nothing() -> None:
    gpu = container(limits={"nvidia.com/gpu": "2"})
    pods = [
        pod("running", gpu),
        pod("done", gpu, phase="Succeeded"),
        pod("failed", gpu, phase="Failed"),
        pod("pending", gpu, node="", phase="Pending"),
    ]
    assert usage_by_node(pods) == {"gpu-1": Usage(gpus={"nvidia.com/gpu": 2}, pods=1)}


def test_a_malformed_quantity_counts_as_zero() -> None:
    assert pod_usage(pod("a", container({"cpu": "lots", "memory": "1Gi"}))).cpu_millis == 0


def test_allocation_lists_offered_gpu_kinds_in_order_and_leaves_out_empty_ones() -> None:
    mig = Node(name="a100", cpu_millis=95_500, memory_bytes=1152 * GIB, gpu_resources={
        "nvidia.com/gpu": 0, "nvidia.com/mig-3g.40gb": 8, "nvidia.com/mig-1g.10gb": 28,
    })  # fmt: skip
    usage = Usage(6_000, 40 * GIB, {"nvidia.com/mig-3g.40gb": 1}, pods=2)
    result = allocation(mig, usage)
    assert result.gpus == (
        Allocation("nvidia.com/mig-1g.10gb", 0, 28),
        Allocation("nvidia.com/mig-3g.40gb", 1, 8),
    )
    assert result.cpu == Allocation("cpu", 6_000, 95_500)
    assert result.memory == Allocation("memory", 40 * GIB, 1152 * GIB)
    assert (result.pods, result.key) == (2, "a100")


def test_a_gpu_request_the_node_does_not_offer_still_shows() -> None:
    cpu_node = Node(name="cpu-1", cpu_millis=31_500)
    result = allocation(cpu_node, Usage(gpus={"nvidia.com/gpu": 1}, pods=1))
    assert result.gpus == (Allocation("nvidia.com/gpu", 1, 0),)


def test_the_index_follows_pods_arriving_finishing_and_going() -> None:
    index = NodeUsageIndex()
    first = pod("a", container(limits={"nvidia.com/gpu": "1"}))
    second = pod("b", container(limits={"nvidia.com/gpu": "2"}))
    assert index.apply(ChangeSet({"serving/a": first, "serving/b": second}, reset=True)) == {
        "gpu-1"
    }
    assert index.usage("gpu-1").gpus == {"nvidia.com/gpu": 3}
    done = pod("a", container(limits={"nvidia.com/gpu": "1"}), phase="Succeeded")
    assert index.apply(ChangeSet({"serving/a": done})) == {"gpu-1"}
    assert index.usage("gpu-1") == Usage(gpus={"nvidia.com/gpu": 2}, pods=1)
    assert index.apply(ChangeSet(deleted={"serving/b"})) == {"gpu-1"}
    assert index.usage("gpu-1") == Usage()


def test_the_index_reports_no_node_when_only_a_pods_status_changed() -> None:
    index = NodeUsageIndex()
    index.apply(ChangeSet({"serving/a": pod("a", container({"cpu": "1"}))}, reset=True))
    restarted = pod("a", container({"cpu": "1"})).model_copy(update={"qos_class": "Burstable"})
    assert index.apply(ChangeSet({"serving/a": restarted})) == set()


def test_a_relist_touches_the_nodes_that_lost_their_pods_too() -> None:
    index = NodeUsageIndex()
    index.apply(ChangeSet({"serving/a": pod("a", container({"cpu": "1"}), node="old")}))
    moved = pod("a2", container({"cpu": "1"}), node="new")
    assert index.apply(ChangeSet({"serving/a2": moved}, reset=True)) == {"old", "new"}
    assert index.usage("old") == Usage()
    assert index.usage("new").cpu_millis == 1_000
