"""QoS classes by the kubelet's rules."""

from __future__ import annotations

from typing import Any

import pytest

from console.sandbox.qos import qos_class


def _pod(*containers: dict[str, Any], init: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": f"c{i}", "resources": r}
                                           for i, r in enumerate(containers)]}
    if init:
        spec["initContainers"] = [{"name": f"i{i}", "resources": r} for i, r in enumerate(init)]
    return spec


CPU_MEM = {"cpu": "500m", "memory": "1Gi"}

CASES = [
    ("no resources at all", _pod({}), "BestEffort"),
    ("only a GPU limit", _pod({"limits": {"nvidia.com/gpu": "1"}}), "BestEffort"),
    ("only a MIG slice request and limit",
     _pod({"requests": {"nvidia.com/mig-1g.10gb": "1"},
           "limits": {"nvidia.com/mig-1g.10gb": "1"}}), "BestEffort"),
    ("zero cpu and memory requests", _pod({"requests": {"cpu": "0", "memory": "0"}}), "BestEffort"),
    ("limits equal to requests", _pod({"requests": CPU_MEM, "limits": CPU_MEM}), "Guaranteed"),
    ("limits only (requests default to them)", _pod({"limits": CPU_MEM}), "Guaranteed"),
    ("equal quantities written differently",
     _pod({"requests": {"cpu": "0.5", "memory": "1024Mi"}, "limits": CPU_MEM}), "Guaranteed"),
    ("guaranteed plus a GPU", _pod({"limits": {**CPU_MEM, "nvidia.com/gpu": "4"}}), "Guaranteed"),
    ("requests below limits", _pod({"requests": {"cpu": "250m", "memory": "1Gi"},
                                    "limits": CPU_MEM}), "Burstable"),
    ("a cpu request only", _pod({"requests": {"cpu": "100m"}}), "Burstable"),
    ("a memory limit only", _pod({"limits": {"memory": "1Gi"}}), "Burstable"),
    ("one guaranteed and one best-effort container", _pod({"limits": CPU_MEM}, {}), "Burstable"),
    ("two guaranteed containers", _pod({"limits": CPU_MEM}, {"limits": CPU_MEM}), "Guaranteed"),
    ("an init container without limits", _pod({"limits": CPU_MEM}, init=({},)), "Burstable"),
    ("a best-effort app with a burstable init container",
     _pod({}, init=({"requests": {"cpu": "100m"}},)), "Burstable"),
]


@pytest.mark.parametrize(("case", "spec", "expected"), CASES, ids=[c[0] for c in CASES])
def test_qos_class_follows_the_kubelet_rules(
    case: str, spec: dict[str, Any], expected: str
) -> None:
    assert qos_class(spec) == expected


def test_a_malformed_quantity_is_refused() -> None:
    with pytest.raises(ValueError):
        qos_class(_pod({"limits": {"cpu": "lots"}}))
