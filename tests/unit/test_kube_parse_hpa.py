"""An autoscaling/v2 HorizontalPodAutoscaler (tests/data/kube/hpa.json) parsed into
the slim ``Hpa`` model."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.base import Kind
from adapters.kube_parse import parse, parse_hpa
from adapters.kube_paths import collection_path
from console.models import Hpa

DATA = Path(__file__).parent.parent / "data" / "kube" / "hpa.json"


def test_an_hpa_is_parsed_with_its_target_bounds_and_cpu_among_other_metrics() -> None:
    hpa = parse_hpa(json.loads(DATA.read_text()))
    assert hpa.key == "inference/gateway"
    assert (hpa.target_kind, hpa.target_name) == ("Deployment", "gateway")
    assert (hpa.min_replicas, hpa.max_replicas) == (2, 10)
    assert (hpa.current_replicas, hpa.desired_replicas) == (4, 5)
    assert (hpa.cpu_target, hpa.cpu_current) == (65, 81)
    assert "kubectl.kubernetes.io/last-applied-configuration" not in hpa.annotations


def test_the_parsed_hpa_survives_full_validation_unchanged() -> None:
    obj = parse(Kind.HPA, json.loads(DATA.read_text()))
    assert isinstance(obj, Hpa)
    assert Hpa.model_validate(obj.model_dump()) == obj
    assert set(obj.__dict__) == set(Hpa.model_fields)


def test_an_hpa_without_min_or_status_gets_the_api_defaults() -> None:
    hpa = parse_hpa({"metadata": {"name": "h", "namespace": "ns"},
                     "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"},
                              "maxReplicas": 3}})
    assert (hpa.min_replicas, hpa.current_replicas, hpa.cpu_target, hpa.cpu_current) == (
        1, 0, None, None)
    assert hpa.scales("ns", "d") and not hpa.scales("other", "d")


def test_hpas_live_under_autoscaling_v2() -> None:
    assert Kind.HPA.api_group_version == "autoscaling/v2"
    assert Kind.HPA.kind_name == "HorizontalPodAutoscaler"
    assert Kind.HPA.namespaced
    assert collection_path(Kind.HPA, "serving") == (
        "/apis/autoscaling/v2/namespaces/serving/horizontalpodautoscalers")
