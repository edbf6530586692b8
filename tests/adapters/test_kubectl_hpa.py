"""The real kubectl against the sandbox's HorizontalPodAutoscalers (autoscaling/v2):
``get hpa`` with the real columns, ``-o yaml``, create and delete from a manifest,
and a manual ``kubectl scale`` past maxReplicas put back by the HPA controller."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from console.sandbox.server import ThreadedSandbox
from console.sandbox.world import World
from tests.adapters.test_kubectl_contract import Kubectl, table_rows
from tests.conftest import require_real

pytestmark = pytest.mark.kubectl

HPA = "horizontalpodautoscalers"


@pytest.fixture(scope="module")
def kubectl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kubectl]:
    require_real("kubectl", shutil.which("kubectl") is not None, "kubectl is not on PATH")
    with ThreadedSandbox(seed=7, speed=20.0) as sandbox:
        yield Kubectl(sandbox, tmp_path_factory.mktemp("kubectl-hpa"))


def replicas(world: World, name: str) -> int:
    d = world.store.get("deployments", "serving", name)
    assert d is not None
    return int(d["spec"]["replicas"])


def test_get_hpa_across_namespaces_prints_the_real_columns(kubectl):
    rows = table_rows(kubectl.run("get", "hpa", "-A").stdout)
    assert rows[0] == ["NAMESPACE", "NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS",
                       "REPLICAS", "AGE"]
    by_name = {row[1]: row for row in rows[1:]}
    gateway = by_name["llm-gateway"]
    assert gateway[0] == "serving"
    assert gateway[2] == "Deployment/llm-gateway"
    # "cpu: 67%/70%" is two words once split
    assert gateway[3] == "cpu:" and gateway[4].endswith("%/70%")
    assert gateway[5:8] == ["2", "8", "3"]
    assert by_name["embeddings-bge"][5:8] == ["2", "6", "3"]
    assert "mistral-7b-chat" not in by_name


def test_get_hpa_as_yaml_prints_the_stored_manifest(kubectl):
    printed = yaml.safe_load(
        kubectl.run("get", "hpa", "llm-gateway", "-n", "serving", "-o", "yaml").stdout)
    stored = kubectl.world(lambda w: w.store.get(HPA, "serving", "llm-gateway"))
    assert (printed["apiVersion"], printed["kind"]) == ("autoscaling/v2",
                                                        "HorizontalPodAutoscaler")
    assert printed["metadata"]["uid"] == stored["metadata"]["uid"]
    assert printed["spec"] == stored["spec"]
    assert printed["status"]["currentReplicas"] == 3
    cpu = printed["status"]["currentMetrics"][0]["resource"]
    assert cpu["name"] == "cpu" and 0 < cpu["current"]["averageUtilization"] <= 100


def test_create_get_and_delete_an_hpa_from_a_manifest(kubectl, tmp_path: Path):
    manifest = {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "grafana", "namespace": "platform"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                    "name": "grafana"},
                 "minReplicas": 1, "maxReplicas": 3},
    }
    path = tmp_path / "hpa.json"
    path.write_text(json.dumps(manifest))
    # The sandbox serves no OpenAPI document, so kubectl cannot validate client-side.
    out = kubectl.run("create", "--validate=false", "-f", str(path)).stdout
    assert out.strip() == "horizontalpodautoscaler.autoscaling/grafana created"
    kubectl.wait_for("the HPA's first sync", lambda w: "currentMetrics" in (
        w.store.get(HPA, "platform", "grafana") or {}).get("status", {}))
    row = kubectl.run("get", "hpa", "grafana", "-n", "platform", "--no-headers").stdout.split()
    assert row[:3] == ["grafana", "Deployment/grafana", "cpu:"]
    assert row[3].endswith("%/80%")  # the server's default target
    assert row[4:7] == ["1", "3", "1"]
    out = kubectl.run("delete", "hpa", "grafana", "-n", "platform").stdout
    assert out.strip() == 'horizontalpodautoscaler.autoscaling "grafana" deleted'
    assert kubectl.world(lambda w: w.store.get(HPA, "platform", "grafana")) is None


def test_a_manual_scale_past_max_is_put_back_by_the_hpa(kubectl):
    out = kubectl.run("scale", "deploy/llm-gateway", "-n", "serving", "--replicas", "12").stdout
    assert out.strip() == "deployment.apps/llm-gateway scaled"
    kubectl.wait_for("the HPA to bring llm-gateway within maxReplicas",
                     lambda w: replicas(w, "llm-gateway") <= 8, timeout=20)
    events = kubectl.run("get", "events", "-n", "serving",
                         "--field-selector", "involvedObject.name=llm-gateway").stdout
    assert "SuccessfulRescale" in events
    assert "above Spec.MaxReplicas" in events
    # The load did not grow: the HPA settles back where CPU puts it.
    kubectl.wait_for("llm-gateway back at 3", lambda w: replicas(w, "llm-gateway") == 3,
                     timeout=20)
