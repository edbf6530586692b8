"""The Nodes table says what matters about each node, in few characters."""

from __future__ import annotations

from console.capacity import Usage, allocation
from console.models import Node, Taint
from screens.node_columns import (
    cpu_text,
    gpu_alloc_text,
    gpu_product_short,
    gpu_text,
    memory_text,
    node_filter,
    node_status,
    status_tone,
    taints_text,
)

GIB = 2**30


def test_status_reads_as_kubectl_prints_it() -> None:
    assert node_status(Node(name="a", ready=True)) == "Ready"
    assert node_status(Node(name="a")) == "NotReady"
    assert node_status(Node(name="a", ready=True, unschedulable=True)) == (
        "Ready,SchedulingDisabled"
    )


def test_a_cordoned_node_is_a_warning_and_a_not_ready_one_an_error() -> None:
    cordoned = allocation(Node(name="a", ready=True, unschedulable=True), Usage())
    assert status_tone(cordoned) == "warning"
    assert status_tone(allocation(Node(name="a", unschedulable=True), Usage())) == "error"


def test_gpu_products_are_cut_to_their_model() -> None:
    assert gpu_product_short("NVIDIA-H100-80GB-HBM3") == "H100"
    assert gpu_product_short("NVIDIA-A10G-SHARED") == "A10G"
    assert gpu_product_short("Tesla-T4") == "T4"
    assert gpu_product_short("NVIDIA-GeForce-RTX-3090") == "RTX-3090"
    assert gpu_product_short("") == ""


def test_the_gpu_cell_names_the_model_and_how_it_is_offered() -> None:
    mig = Node(name="a", gpu_product="NVIDIA-A100-SXM4-80GB",
               gpu_resources={"nvidia.com/gpu": 0, "nvidia.com/mig-1g.10gb": 28})  # fmt: skip
    assert gpu_text(mig) == "A100 MIG"
    assert gpu_text(Node(name="a", gpu_resources={"nvidia.com/gpu.shared": 32})) == "shared"
    assert gpu_text(Node(name="a")) == "-"


def test_gpu_allocation_is_labelled_only_when_a_node_offers_several_kinds() -> None:
    full = Node(name="a", gpu_resources={"nvidia.com/gpu": 8})
    assert gpu_alloc_text(allocation(full, Usage(gpus={"nvidia.com/gpu": 6}))) == "6/8"
    mig = Node(name="a", gpu_resources={"nvidia.com/mig-1g.10gb": 28, "nvidia.com/mig-3g.40gb": 8})
    assert gpu_alloc_text(allocation(mig, Usage())) == "1g:0/28 3g:0/8"
    assert gpu_alloc_text(allocation(Node(name="a"), Usage())) == "-"


def test_mig_profiles_sharing_a_slice_size_keep_their_memory_in_the_label() -> None:
    h100 = Node(name="a", gpu_resources={
        "nvidia.com/mig-1g.10gb": 7, "nvidia.com/mig-1g.20gb": 4, "nvidia.com/mig-3g.40gb": 2,
    })  # fmt: skip
    text = gpu_alloc_text(allocation(h100, Usage(gpus={"nvidia.com/mig-1g.20gb": 1})))
    assert text == "1g.10gb:0/7 1g.20gb:1/4 3g:0/2"


def test_cpu_and_memory_read_as_requested_over_allocatable() -> None:
    node = Node(name="a", cpu_millis=191_500, memory_bytes=2047 * GIB)
    row = allocation(node, Usage(cpu_millis=40_100, memory_bytes=320 * GIB))
    assert (cpu_text(row), memory_text(row)) == ("40.1/192", "320/2047")
    small = allocation(Node(name="b", cpu_millis=7_500, memory_bytes=31 * GIB),
                       Usage(cpu_millis=750, memory_bytes=GIB // 8))  # fmt: skip
    assert (cpu_text(small), memory_text(small)) == ("0.75/7.5", "0.12/31")


def test_taints_show_the_last_part_of_their_key_and_the_effect() -> None:
    node = Node(name="a", taints=(
        Taint(key="nvidia.com/gpu", value="present", effect="NoSchedule"),
        Taint(key="node.kubernetes.io/unschedulable", effect="NoSchedule"),
    ))  # fmt: skip
    assert taints_text(node) == "gpu:NoSchedule,unschedulable:NoSchedule"


def test_the_filter_matches_name_status_and_gpu() -> None:
    keep = node_filter("h100")
    h100 = allocation(Node(name="gpu-1", gpu_product="NVIDIA-H100-80GB-HBM3",
                           gpu_resources={"nvidia.com/gpu": 8}), Usage())  # fmt: skip
    assert keep is not None and keep(h100)
    cordoned = node_filter("schedulingdisabled")
    assert cordoned is not None and not cordoned(h100)
    assert node_filter("  ") is None
