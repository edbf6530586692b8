"""The line under the Pods table: everything a narrow table cuts from a pod."""

from __future__ import annotations

from datetime import UTC, datetime

from console.models import ContainerState, Pod
from screens.pod_columns import pod_detail

CREATED = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)


def test_a_crash_looping_pod_says_its_last_exit_before_the_kubelets_message() -> None:
    pod = Pod(
        namespace="serving", name="sdxl-6d9f-abcde", created=CREATED, node="gpu-l40s-01",
        phase="Running", qos_class="Burstable", pod_ip="10.0.0.7",
        containers=(
            ContainerState(name="server", image="sdxl:2.1", state="waiting",
                           reason="CrashLoopBackOff", message="back-off 5m0s restarting",
                           last_terminated_reason="OOMKilled", restarts=12,
                           limits={"nvidia.com/gpu": "1"}),
            ContainerState(name="sidecar", image="envoy:1.30", state="running", ready=True),
        ),
    )
    assert pod_detail(pod) == [
        "serving/sdxl-6d9f-abcde · CrashLoopBackOff (OOMKilled)",
        "node gpu-l40s-01 · QoS Burstable · GPU 1 · restarts 12 · IP 10.0.0.7",
        "server: waiting CrashLoopBackOff (last exit: OOMKilled) — back-off 5m0s restarting",
    ]


def test_an_unschedulable_pod_gives_the_schedulers_whole_message() -> None:
    message = "0/14 nodes are available: 14 Insufficient nvidia.com/gpu."
    pod = Pod(namespace="training", name="big-job-0", created=CREATED, qos_class="BestEffort",
              scheduling_message=message,
              containers=(ContainerState(name="trainer", image="t:1",
                                         requests={"nvidia.com/gpu": "16"}),))
    assert pod_detail(pod)[:2] == [
        f"training/big-job-0 · Pending: {message}",
        "not scheduled · QoS BestEffort · GPU 16 · restarts 0",
    ]
