"""How the sandbox's Kubernetes face prints what kubectl shows: ages, pod status
reasons and restart counts, and selectors."""

from __future__ import annotations

from typing import Any

import pytest

from console.sandbox.kube.humanize import human_duration
from console.sandbox.kube.pod_status import pod_cells
from console.sandbox.kube.selectors import field_selector, label_selector
from console.sandbox.kube.status import ApiError

NOW = 1_750_003_200.0  # 2025-06-15T16:00:00Z


@pytest.mark.parametrize(("seconds", "shown"), [
    (-5, "<invalid>"), (-0.5, "0s"), (45, "45s"), (119, "119s"), (120, "2m"), (200, "3m20s"),
    (3600, "60m"), (3 * 3600 + 60, "3h1m"), (9 * 3600, "9h"), (50 * 3600, "2d2h"),
    (10 * 86400, "10d"), (800 * 86400, "2y70d"), (9 * 365 * 86400, "9y"),
])
def test_ages_read_as_kubectl_prints_them(seconds, shown):
    assert human_duration(seconds) == shown


def pod(statuses: list[dict[str, Any]], **status: Any) -> dict[str, Any]:
    return {"metadata": {"name": "p", "creationTimestamp": "2025-06-15T15:00:00Z"},
            "spec": {"containers": [{"name": s["name"]} for s in statuses]},
            "status": {"phase": "Running", "containerStatuses": statuses, **status}}


def test_a_crash_looping_pod_shows_the_back_off_and_when_it_last_restarted():
    cells = pod_cells(pod([{"name": "c", "restartCount": 7, "ready": False,
                            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                            "lastState": {"terminated": {"reason": "Error", "exitCode": 1,
                                                         "finishedAt": "2025-06-15T15:58:00Z"}}}]),
                      NOW)
    assert cells[1:5] == ["0/1", "CrashLoopBackOff", "7 (2m ago)", "60m"]


def test_a_pod_with_a_failing_init_container_shows_init_status():
    p = pod([{"name": "c", "state": {"waiting": {"reason": "PodInitializing"}}}],
            initContainerStatuses=[{"name": "fetch", "restartCount": 2,
                                    "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}])
    p["spec"]["initContainers"] = [{"name": "fetch"}]
    assert pod_cells(p, NOW)[2:4] == ["Init:Error", "2"]


def test_a_pod_being_deleted_is_terminating():
    p = pod([{"name": "c", "ready": True, "state": {"running": {}}}])
    p["metadata"]["deletionTimestamp"] = "2025-06-15T15:59:00Z"
    assert pod_cells(p, NOW)[1:3] == ["1/1", "Terminating"]


def test_an_oom_killed_container_shows_its_reason():
    cells = pod_cells(pod([{"name": "c", "state": {"terminated": {"reason": "OOMKilled",
                                                                   "exitCode": 137}}}]), NOW)
    assert cells[2] == "OOMKilled"


def test_label_selectors_refuse_malformed_keys():
    with pytest.raises(ApiError):
        label_selector("bad key=1")
    match = label_selector("app in (a,b),!legacy")
    assert match is not None
    assert match({"metadata": {"labels": {"app": "b"}}})
    assert not match({"metadata": {"labels": {"app": "b", "legacy": "1"}}})


def test_field_selectors_read_booleans_and_event_sources():
    unschedulable = field_selector("nodes", "spec.unschedulable=false")
    assert unschedulable is not None and unschedulable({"metadata": {}, "spec": {}})
    source = field_selector("events", "source=kubelet,involvedObject.kind=Pod")
    assert source is not None
    assert source({"metadata": {}, "source": {"component": "kubelet"},
                   "involvedObject": {"kind": "Pod"}})
