"""The sandbox's series follow its objects: traffic by image, GPUs by holder,
kube-state by status; rules fire from them; /metrics shows the same values."""

from __future__ import annotations

import math
from typing import Any

import pytest

from console.sandbox.exposition import render
from console.sandbox.metrics import MetricsEngine
from console.sandbox.promql import Engine
from console.sandbox.rules import RuleEvaluator
from console.sandbox.signals import RETENTION
from console.sandbox.store import ObjectStore

BAD = "registry.acme.ai/serving/mistral-7b-chat:v0.9.1-rc2"
GOOD = "registry.acme.ai/serving/mistral-7b-chat:v0.9.0"
NOTEBOOK = "quay.io/jupyter/pytorch-notebook:cuda12-2024-08-12"


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def pod(name: str, image: str, *, node: str = "gpu-a", track: str = "stable",
        gpus: int = 1, ready: bool = True, app: str = "mistral") -> dict[str, Any]:
    return {
        "metadata": {"namespace": "serving", "name": name, "labels": {"app": app, "track": track},
                     "ownerReferences": [{"kind": "ReplicaSet", "name": f"{app}-7d9f8",
                                          "controller": True, "uid": "u"}]},
        "spec": {"nodeName": node, "containers": [{
            "name": "server", "image": image,
            "resources": {"requests": {"cpu": "2", "memory": "8Gi"},
                          "limits": {"nvidia.com/gpu": str(gpus)}}}]},
        "status": {"phase": "Running",
                   "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                   "containerStatuses": [{"name": "server", "restartCount": 0,
                                          "state": {"running": {}}}]},
    }


def node(name: str = "gpu-a", gpus: int = 4) -> dict[str, Any]:
    return {"metadata": {"name": name,
                         "labels": {"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"}},
            "spec": {},
            "status": {"allocatable": {"cpu": "64", "memory": "512Gi",
                                       "nvidia.com/gpu": str(gpus)},
                       "conditions": [{"type": "Ready", "status": "True"}]}}


T0 = 1_700_000_000.0


@pytest.fixture
def world() -> tuple[ObjectStore, Clock, MetricsEngine, Engine]:
    store, clock = ObjectStore(), Clock(T0)
    store.create("nodes", node())
    store.create("pods", pod("mistral-bad-1", BAD))
    store.create("pods", pod("mistral-bad-2", BAD))
    store.create("pods", pod("notebook-1", NOTEBOOK, app="notebook"))
    metrics = MetricsEngine(store, clock, seed=7)
    return store, clock, metrics, Engine(metrics)


ERROR_RATIO = ('sum by (deployment) (rate(model_requests_total{code=~"5.."}[5m])) / '
               'sum by (deployment) (rate(model_requests_total[5m]))')


def only(result: Any) -> float:
    assert isinstance(result, list) and len(result) == 1, result
    return float(result[0].value)


def test_a_bad_image_has_its_error_ratio_from_history_onwards(world) -> None:
    _, _, _, engine = world
    assert only(engine.instant(ERROR_RATIO, T0)) == pytest.approx(0.21, abs=0.01)
    assert only(engine.instant(ERROR_RATIO, T0 - RETENTION + 3600)) == pytest.approx(0.21,
                                                                                    abs=0.01)


def test_replacing_bad_pods_with_good_ones_clears_the_error_ratio(world) -> None:
    store, clock, _, engine = world
    clock.t += 60
    for name in ("mistral-bad-1", "mistral-bad-2"):
        store.delete("pods", "serving", name)
    store.create("pods", pod("mistral-good-1", GOOD))
    clock.t += 600
    assert only(engine.instant(ERROR_RATIO, clock.t)) == pytest.approx(0.002, abs=0.002)


def test_counters_only_grow_and_agree_with_the_exposition(world) -> None:
    _, clock, metrics, engine = world
    q = 'model_requests_total{pod="mistral-bad-1",code="200"}'
    earlier = only(engine.instant(q, T0 - 300))
    clock.t = T0 + 7.5  # between two grid points: /metrics reads the same function
    exposed = dict(metrics.current())
    value = next(v for labels, v in exposed.items() if dict(labels).get("pod") == "mistral-bad-1"
                 and dict(labels).get("code") == "200"
                 and dict(labels)["__name__"] == "model_requests_total")
    assert 0 < earlier < only(engine.instant(q, T0)) <= value


def test_histogram_quantile_of_the_latency_buckets_is_near_the_profile_p99(world) -> None:
    _, _, _, engine = world
    q = ('histogram_quantile(0.99, sum by (le) '
         '(rate(model_request_duration_seconds_bucket{pod="mistral-bad-1"}[5m])))')
    assert 2.5 <= only(engine.instant(q, T0)) <= 5.0


def test_gpu_series_carry_the_holding_pod_and_free_gpus_carry_none(world) -> None:
    _, _, _, engine = world
    held = engine.instant('DCGM_FI_DEV_GPU_UTIL{pod!=""}', T0)
    free = engine.instant('DCGM_FI_DEV_GPU_UTIL{pod=""}', T0)
    assert isinstance(held, list) and isinstance(free, list)
    assert sorted(dict(s.labels)["pod"] for s in held) == ["mistral-bad-1", "mistral-bad-2",
                                                          "notebook-1"]
    assert len(free) == 1 and free[0].value == 0


def test_rules_fire_for_the_bad_rollout_and_the_idle_gpu(world) -> None:
    _, clock, _, engine = world
    alerts = RuleEvaluator(engine, clock).alerts()
    firing = {(a["labels"]["alertname"], a["labels"].get("deployment") or a["labels"]["pod"])
              for a in alerts if a["state"] == "firing"}
    assert ("ModelServerHighErrorRate", "mistral") in firing
    assert ("GpuAllocatedButIdle", "notebook-1") in firing


def test_the_error_alert_resolves_after_the_rollback(world) -> None:
    store, clock, _, engine = world
    rules = RuleEvaluator(engine, clock)
    assert any(a["labels"]["alertname"] == "ModelServerHighErrorRate" for a in rules.alerts())
    for name in ("mistral-bad-1", "mistral-bad-2"):
        store.delete("pods", "serving", name)
    store.create("pods", pod("mistral-good-1", GOOD))
    clock.t += 600
    assert not any(a["labels"]["alertname"] == "ModelServerHighErrorRate"
                   for a in rules.alerts())


def test_the_exposition_groups_samples_under_help_and_type(world) -> None:
    _, _, metrics, _ = world
    text = render(metrics.current())
    assert "# TYPE model_request_duration_seconds histogram" in text
    assert 'le="+Inf"' in text
    lines = [ln for ln in text.splitlines() if ln.startswith("model_requests_total{")]
    assert len(lines) == 6 and all(math.isfinite(float(ln.rsplit(" ", 1)[1])) for ln in lines)


def test_every_group_samples_any_of_its_series_as_it_samples_them_all(world) -> None:
    _, _, metrics, _ = world
    times = [T0 - 900 + 15 * k for k in range(60)] + [T0 + 7.5]
    kinds = set()
    for group in metrics.groups():
        kinds.add(type(group).__name__)
        every = group.columns(range(len(group.labels)), times)
        backwards = list(reversed(range(len(group.labels))))
        assert group.columns(backwards, times) == [every[i] for i in backwards]
        assert group.columns([0], times[-1:]) == [[every[0][-1]]]
        assert group.values(times[10]) == [column[10] for column in every]
    assert {"PodTraffic", "PodContainers", "GpuSeries", "StepSeries"} <= kinds


def test_a_group_grid_gives_only_the_newest_sample_before_each_time_when_asked(world) -> None:
    _, _, metrics, _ = world
    group = next(iter(metrics.groups()))
    grid = group.grid(T0 - 600, T0)
    g = grid[12]
    wanted = [grid[0] - 1, g - 0.001, g, g + 0.001, g + 14.999, T0]
    newest = {max(t for t in grid if t <= w) for w in wanted[1:]}
    assert newest == {g - 15, g, grid[-1]}
    assert group.grid(T0 - 600, T0, newest_at=wanted) == sorted(newest)
    assert group.grid(T0 - 600, T0, newest_at=[T0 - 600 - 30]) == []
