"""HorizontalPodAutoscalers on the sandbox's Kubernetes face (autoscaling/v2):
discovery, create with the server's defaults and validation, get, list with
selectors, watch, patch, delete, dry runs and kubectl's Table columns."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from console.sandbox.kube_face import make_app
from tests.adapters.kube_fakes import FakeWorld, seeded_world

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
HPAS = "/apis/autoscaling/v2/namespaces/serving/horizontalpodautoscalers"
MERGE = {"Content-Type": "application/merge-patch+json"}


def hpa_body(name: str = "llm", *, target: str = "llm", low: int | None = 2,
             high: int = 6, labels: dict[str, str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
        "maxReplicas": high,
        "metrics": [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
    }
    if low is not None:
        spec["minReplicas"] = low
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "labels": labels or {}}, "spec": spec}


@pytest.fixture
def world() -> FakeWorld:
    return seeded_world()


@pytest.fixture
async def client(world: FakeWorld) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(make_app(world, bookmark_interval=0.2))) as c:
        yield c


async def created(client: TestClient[Any, Any], body: dict[str, Any]) -> dict[str, Any]:
    resp = await client.post(HPAS, json=body)
    assert resp.status == 201, await resp.text()
    result: dict[str, Any] = await resp.json()
    return result


async def test_discovery_announces_autoscaling_v2_as_the_real_server_does(client):
    groups = (await (await client.get("/apis")).json())["groups"]
    autoscaling = next(g for g in groups if g["name"] == "autoscaling")
    assert autoscaling["preferredVersion"] == {"groupVersion": "autoscaling/v2",
                                               "version": "v2"}
    body = await (await client.get("/apis/autoscaling/v2")).json()
    assert body["groupVersion"] == "autoscaling/v2"
    by_name = {r["name"]: r for r in body["resources"]}
    hpa = by_name["horizontalpodautoscalers"]
    assert (hpa["kind"], hpa["singularName"], hpa["namespaced"]) == (
        "HorizontalPodAutoscaler", "horizontalpodautoscaler", True)
    assert hpa["shortNames"] == ["hpa"]
    assert hpa["categories"] == ["all"]
    assert {"create", "delete", "get", "list", "patch", "watch"} <= set(hpa["verbs"])
    assert by_name["horizontalpodautoscalers/status"]["verbs"] == ["get", "patch", "update"]
    # Only the version served is announced, and apps stays where it was.
    assert (await client.get("/apis/autoscaling/v1/horizontalpodautoscalers")).status == 404
    assert groups[0]["preferredVersion"]["groupVersion"] == "apps/v1"


async def test_create_fills_the_servers_defaults_and_get_returns_it(client):
    body = hpa_body(low=None)
    del body["spec"]["metrics"]
    stored = await created(client, body)
    assert stored["apiVersion"] == "autoscaling/v2"
    assert stored["metadata"]["namespace"] == "serving"
    assert stored["metadata"]["generation"] == 1
    assert stored["spec"]["minReplicas"] == 1
    assert stored["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    got = await (await client.get(f"{HPAS}/llm")).json()
    assert got["metadata"]["uid"] == stored["metadata"]["uid"]


@pytest.mark.parametrize(("body", "field", "message"), [
    (hpa_body(low=0), "spec.minReplicas", "must be greater than or equal to 1"),
    (hpa_body(low=5, high=3), "spec.maxReplicas", "must be greater than or equal to `minReplicas`"),
    (hpa_body(target=""), "spec.scaleTargetRef.name", "Required value"),
])
async def test_an_invalid_hpa_is_refused_with_the_servers_field_error(client, body, field, message):
    resp = await client.post(HPAS, json=body)
    assert resp.status == 422
    status = await resp.json()
    assert status["reason"] == "Invalid"
    assert any(c["field"] == field and message in c["message"]
               for c in status["details"]["causes"])


async def test_a_v1_body_is_refused_on_the_v2_endpoint(client):
    body = {**hpa_body(), "apiVersion": "autoscaling/v1"}
    resp = await client.post(HPAS, json=body)
    assert resp.status == 400


async def test_list_across_namespaces_with_a_label_selector(client):
    await created(client, hpa_body("a", labels={"tier": "edge"}))
    await created(client, hpa_body("b"))
    resp = await client.get("/apis/autoscaling/v2/horizontalpodautoscalers",
                            params={"labelSelector": "tier=edge"})
    body = await resp.json()
    assert (body["kind"], body["apiVersion"]) == ("HorizontalPodAutoscalerList", "autoscaling/v2")
    assert [i["metadata"]["name"] for i in body["items"]] == ["a"]
    assert int(body["metadata"]["resourceVersion"]) > 0


async def test_watch_streams_an_hpa_created_and_patched_after_the_version(client, world):
    since = world.store.resource_version
    async with client.get(HPAS, params={"watch": "1", "resourceVersion": str(since)}) as resp:
        await created(client, hpa_body())
        patched = await client.patch(f"{HPAS}/llm", json={"spec": {"maxReplicas": 9}},
                                     headers=MERGE)
        assert patched.status == 200
        events = []
        while len(events) < 2:
            events.append(json.loads(await asyncio.wait_for(resp.content.readline(), 5)))
    assert [(e["type"], e["object"]["kind"]) for e in events] == [
        ("ADDED", "HorizontalPodAutoscaler"), ("MODIFIED", "HorizontalPodAutoscaler")]
    assert events[1]["object"]["spec"]["maxReplicas"] == 9
    assert events[1]["object"]["metadata"]["generation"] == 2


async def test_a_dry_run_patch_and_delete_change_nothing(client, world):
    await created(client, hpa_body())
    version = world.store.resource_version
    resp = await client.patch(f"{HPAS}/llm?dryRun=All", json={"spec": {"maxReplicas": 9}},
                              headers=MERGE)
    assert (await resp.json())["spec"]["maxReplicas"] == 9
    assert (await client.delete(f"{HPAS}/llm?dryRun=All")).status == 200
    assert world.store.resource_version == version
    assert (await client.delete(f"{HPAS}/llm")).status == 200
    assert (await client.get(f"{HPAS}/llm")).status == 404


async def test_the_status_subresource_writes_only_status(client, world):
    await created(client, hpa_body())
    resp = await client.patch(f"{HPAS}/llm/status", headers=MERGE, json={
        "spec": {"maxReplicas": 1}, "status": {"currentReplicas": 2, "desiredReplicas": 3}})
    assert resp.status == 200, await resp.text()
    stored = world.store.get("horizontalpodautoscalers", "serving", "llm")
    assert stored["spec"]["maxReplicas"] == 6
    assert stored["status"]["desiredReplicas"] == 3


async def test_a_table_has_kubectls_hpa_columns_and_cells(client, world):
    await created(client, hpa_body())
    stored = world.store.get("horizontalpodautoscalers", "serving", "llm")
    world.store.update("horizontalpodautoscalers", {**stored, "status": {
        "currentReplicas": 3, "desiredReplicas": 3,
        "currentMetrics": [{"type": "Resource", "resource": {
            "name": "cpu", "current": {"averageUtilization": 64, "averageValue": "320m"}}}]}})
    await created(client, hpa_body("fresh", low=None))
    body = await (await client.get(HPAS, headers={"Accept": TABLE})).json()
    assert [c["name"] for c in body["columnDefinitions"]] == [
        "Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"]
    cells = {row["cells"][0]: row["cells"] for row in body["rows"]}
    assert cells["llm"][1:6] == ["Deployment/llm", "cpu: 64%/70%", "2", 6, 3]
    assert cells["fresh"][1:6] == ["Deployment/llm", "cpu: <unknown>/70%", "1", 6, 0]
