"""Writes through the sandbox's Kubernetes face: the three patch types, replace with
resource-version conflicts, create, delete with cascading, the scale and status
subresources, validation, and dry runs that leave the store untouched."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from console.sandbox.kube_face import make_app
from tests.adapters.kube_fakes import FakeWorld, deployment, pod, seeded_world

DEPLOY = "/apis/apps/v1/namespaces/serving/deployments"
JSON_PATCH = {"Content-Type": "application/json-patch+json"}
MERGE = {"Content-Type": "application/merge-patch+json"}
STRATEGIC = {"Content-Type": "application/strategic-merge-patch+json"}


@pytest.fixture
def world() -> FakeWorld:
    return seeded_world()


@pytest.fixture
async def client(world: FakeWorld) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(make_app(world))) as c:
        yield c


def stored(world: FakeWorld, kind: str = "deployments", name: str = "llm",
           ns: str = "serving") -> dict[str, Any]:
    obj = world.store.get(kind, ns, name)
    assert obj is not None
    return obj


def container(world: FakeWorld, name: str = "server") -> dict[str, Any]:
    containers = stored(world)["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c["name"] == name)


async def test_a_json_patch_replaces_the_image_and_bumps_the_generation(client, world):
    ops = [{"op": "replace", "path": "/spec/template/spec/containers/0/image",
            "value": "registry.local/server:2.0"}]
    resp = await client.patch(f"{DEPLOY}/llm", json=ops, headers=JSON_PATCH)
    assert resp.status == 200, await resp.text()
    assert container(world)["image"] == "registry.local/server:2.0"
    assert stored(world)["metadata"]["generation"] == 2


async def test_a_failed_json_patch_test_operation_is_unprocessable(client, world):
    before = stored(world)
    ops = [{"op": "test", "path": "/spec/replicas", "value": 7},
           {"op": "replace", "path": "/spec/replicas", "value": 9}]
    resp = await client.patch(f"{DEPLOY}/llm", json=ops, headers=JSON_PATCH)
    assert resp.status == 422
    assert stored(world) is before


async def test_a_merge_patch_replaces_lists_whole(client, world):
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "image": "envoy:1.30"}]}}}}
    resp = await client.patch(f"{DEPLOY}/llm", json=patch, headers=MERGE)
    assert resp.status == 200, await resp.text()
    assert stored(world)["spec"]["template"]["spec"]["containers"] == [
        {"name": "sidecar", "image": "envoy:1.30"}]


async def test_a_merge_patch_null_removes_a_label(client, world):
    patch = {"metadata": {"labels": {"app": None, "tier": "gpu"}}}
    resp = await client.patch(f"{DEPLOY}/llm", json=patch, headers=MERGE)
    assert resp.status == 200, await resp.text()
    assert stored(world)["metadata"]["labels"] == {"tier": "gpu"}


async def test_a_strategic_patch_merges_containers_and_env_by_name(client, world):
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "server", "env": [{"name": "LOG_LEVEL", "value": "debug"}]},
        {"name": "sidecar", "image": "envoy:1.30"}]}}}}
    resp = await client.patch(f"{DEPLOY}/llm", json=patch, headers=STRATEGIC)
    assert resp.status == 200, await resp.text()
    server = container(world)
    assert server["image"] == "registry.local/server:1.0"
    assert server["env"] == [{"name": "MODE", "value": "serve"},
                             {"name": "LOG_LEVEL", "value": "debug"}]
    assert container(world, "sidecar")["image"] == "envoy:1.30"


async def test_a_strategic_delete_directive_removes_one_env_var(client, world):
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "server", "env": [{"name": "MODE", "$patch": "delete"}]}]}}}}
    resp = await client.patch(f"{DEPLOY}/llm", json=patch, headers=STRATEGIC)
    assert resp.status == 200, await resp.text()
    assert container(world)["env"] == []


async def test_a_strategic_restart_annotation_lands_in_the_pod_template(client, world):
    stamp = "2025-06-15T16:00:00Z"
    patch = {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": stamp}}}}}
    resp = await client.patch(f"{DEPLOY}/llm", json=patch, headers=STRATEGIC)
    assert resp.status == 200
    template = stored(world)["spec"]["template"]
    assert template["metadata"]["annotations"] == {"kubectl.kubernetes.io/restartedAt": stamp}
    assert template["metadata"]["labels"] == {"app": "llm"}


async def test_an_unsupported_patch_type_is_415(client):
    resp = await client.patch(f"{DEPLOY}/llm", data=b"spec: {}",
                              headers={"Content-Type": "application/apply-patch+yaml"})
    assert resp.status == 415
    assert (await resp.json())["reason"] == "UnsupportedMediaType"


async def test_a_patch_changes_no_status(client, world):
    patch = {"status": {"readyReplicas": 0}, "spec": {"paused": True}}
    resp = await client.patch(f"{DEPLOY}/llm", json=patch, headers=MERGE)
    assert resp.status == 200
    assert stored(world)["spec"]["paused"] is True
    assert stored(world)["status"]["readyReplicas"] == 2


async def test_the_status_subresource_changes_only_status(client, world):
    patch = {"status": {"readyReplicas": 1}, "spec": {"replicas": 5}}
    resp = await client.patch(f"{DEPLOY}/llm/status", json=patch, headers=MERGE)
    assert resp.status == 200
    assert stored(world)["status"]["readyReplicas"] == 1
    assert stored(world)["spec"]["replicas"] == 2


async def test_a_put_with_a_stale_resource_version_is_a_conflict(client, world):
    body = copy.deepcopy(stored(world))
    body["metadata"]["resourceVersion"] = "1"
    body["spec"]["replicas"] = 4
    resp = await client.put(f"{DEPLOY}/llm", json=body)
    status = await resp.json()
    assert resp.status == 409
    assert status["reason"] == "Conflict"
    assert status["message"].startswith('Operation cannot be fulfilled on deployments.apps "llm"')
    assert stored(world)["spec"]["replicas"] == 2


async def test_a_put_with_the_current_version_replaces_the_spec(client, world):
    body = copy.deepcopy(stored(world))
    body["spec"]["replicas"] = 4
    resp = await client.put(f"{DEPLOY}/llm", json=body)
    assert resp.status == 200
    assert stored(world)["spec"]["replicas"] == 4


async def test_a_put_whose_name_differs_from_the_url_is_a_bad_request(client, world):
    body = copy.deepcopy(stored(world))
    body["metadata"]["name"] = "other"
    resp = await client.put(f"{DEPLOY}/llm", json=body)
    assert resp.status == 400
    assert "does not match the name on the URL" in (await resp.json())["message"]


async def test_the_scale_subresource_reads_and_writes_replicas(client, world):
    scale = await (await client.get(f"{DEPLOY}/llm/scale")).json()
    assert scale["kind"] == "Scale"
    assert scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 2}
    assert scale["status"] == {"replicas": 2, "selector": "app=llm"}
    resp = await client.patch(f"{DEPLOY}/llm/scale", json={"spec": {"replicas": 3}},
                              headers=MERGE)
    assert (await resp.json())["spec"]["replicas"] == 3
    scale["spec"]["replicas"] = 5
    resp = await client.put(f"{DEPLOY}/llm/scale", json=scale)
    assert resp.status == 409  # the version the GET returned is stale now
    scale["metadata"].pop("resourceVersion")
    resp = await client.put(f"{DEPLOY}/llm/scale", json=scale)
    assert resp.status == 200
    assert stored(world)["spec"]["replicas"] == 5


async def test_negative_replicas_are_invalid_with_the_field_path(client, world):
    resp = await client.patch(f"{DEPLOY}/llm/scale", json={"spec": {"replicas": -1}},
                              headers=MERGE)
    body = await resp.json()
    assert resp.status == 422
    assert body["reason"] == "Invalid"
    assert body["message"] == ('Scale.autoscaling "llm" is invalid: spec.replicas: '
                               "Invalid value: -1: must be greater than or equal to 0")
    resp = await client.patch(f"{DEPLOY}/llm", json={"spec": {"replicas": -3}}, headers=MERGE)
    body = await resp.json()
    assert body["message"] == ('Deployment.apps "llm" is invalid: spec.replicas: '
                               "Invalid value: -3: must be greater than or equal to 0")
    assert body["details"]["causes"] == [{"reason": "FieldValueInvalid", "field": "spec.replicas",
                                          "message": "Invalid value: -3: must be greater than "
                                                     "or equal to 0"}]
    assert stored(world)["spec"]["replicas"] == 2


async def test_replicas_that_are_not_a_number_are_a_bad_request(client):
    resp = await client.patch(f"{DEPLOY}/llm", json={"spec": {"replicas": "abc"}}, headers=MERGE)
    assert resp.status == 400
    assert "cannot unmarshal string" in (await resp.json())["message"]


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("patch", f"{DEPLOY}/llm?dryRun=All", {"json": {"spec": {"replicas": 9}}, "headers": MERGE}),
    ("patch", f"{DEPLOY}/llm/scale?dryRun=All",
     {"json": {"spec": {"replicas": 9}}, "headers": MERGE}),
    ("delete", f"{DEPLOY}/llm?dryRun=All", {}),
    ("post", f"{DEPLOY}?dryRun=All", {"json": deployment("new")}),
    ("delete", "/api/v1/namespaces/serving/pods/llm-0", {"json": {"dryRun": ["All"]}}),
])
async def test_a_dry_run_leaves_the_store_unchanged(client, world, method, path, kwargs):
    version = world.store.resource_version
    resp = await getattr(client, method)(path, **kwargs)
    assert resp.status in (200, 201), await resp.text()
    assert world.store.resource_version == version
    assert world.kicks == 0


async def test_a_dry_run_returns_the_would_be_object(client, world):
    resp = await client.patch(f"{DEPLOY}/llm?dryRun=All", json={"spec": {"replicas": 9}},
                              headers=MERGE)
    body = await resp.json()
    assert body["spec"]["replicas"] == 9
    assert body["metadata"]["generation"] == 2
    assert body["metadata"]["resourceVersion"] == stored(world)["metadata"]["resourceVersion"]


async def test_every_stored_write_kicks_the_world(client, world):
    await client.patch(f"{DEPLOY}/llm/scale", json={"spec": {"replicas": 1}}, headers=MERGE)
    await client.post(DEPLOY, json=deployment("reranker"))
    await client.delete("/api/v1/namespaces/serving/pods/llm-0")
    assert world.kicks == 3


async def test_create_fills_server_fields_and_defaults(client, world):
    resp = await client.post(DEPLOY, json=deployment("reranker"))
    body = await resp.json()
    assert resp.status == 201
    assert body["metadata"]["uid"]
    assert body["metadata"]["generation"] == 1
    assert body["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": "25%",
                                                         "maxSurge": "25%"}
    assert stored(world, name="reranker")["metadata"]["resourceVersion"] == \
        body["metadata"]["resourceVersion"]


async def test_creating_an_existing_object_is_already_exists(client):
    resp = await client.post(DEPLOY, json=deployment("llm"))
    body = await resp.json()
    assert resp.status == 409
    assert (body["reason"], body["message"]) == ("AlreadyExists",
                                                 'deployments.apps "llm" already exists')


async def test_creating_in_a_missing_namespace_is_not_found(client):
    resp = await client.post("/api/v1/namespaces/nowhere/pods", json=pod("p", "nowhere"))
    assert resp.status == 404
    assert (await resp.json())["message"] == 'namespaces "nowhere" not found'


async def test_a_deployment_without_a_selector_matching_its_template_is_invalid(client):
    bad = deployment("mismatch")
    bad["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    resp = await client.post(DEPLOY, json=bad)
    body = await resp.json()
    assert resp.status == 422
    assert body["details"]["causes"][0]["field"] == "spec.template.metadata.labels"


async def test_deleting_a_deployment_deletes_what_it_owns(client, world):
    owner = stored(world)
    owned = {"ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "llm",
                                  "uid": owner["metadata"]["uid"], "controller": True}]}
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "llm-abc", "namespace": "serving", **owned},
          "spec": copy.deepcopy(owner["spec"])}
    rs = world.store.create("replicasets", rs)
    child = pod("llm-abc-x1")
    child["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "llm-abc",
                                             "uid": rs["metadata"]["uid"]}]
    world.store.create("pods", child)
    resp = await client.delete(f"{DEPLOY}/llm")
    body = await resp.json()
    assert (body["kind"], body["status"]) == ("Status", "Success")
    assert world.store.get("replicasets", "serving", "llm-abc") is None
    assert world.store.get("pods", "serving", "llm-abc-x1") is None
    assert world.store.get("pods", "serving", "llm-0") is not None


async def test_deleting_a_pod_answers_with_the_pod(client, world):
    resp = await client.delete("/api/v1/namespaces/serving/pods/llm-0")
    body = await resp.json()
    assert (body["kind"], body["metadata"]["name"]) == ("Pod", "llm-0")
    assert world.store.get("pods", "serving", "llm-0") is None
    resp = await client.delete("/api/v1/namespaces/serving/pods/llm-0")
    assert resp.status == 404


async def test_a_patch_is_stored_as_the_typed_api_server_would_store_it(client, world):
    template = copy.deepcopy(stored(world)["spec"]["template"])
    template["metadata"]["annotations"] = None
    template["spec"]["containers"][0]["image"] = "registry.local/server:0.9"
    ops = [{"op": "replace", "path": "/spec/template", "value": template},
           {"op": "replace", "path": "/metadata/labels", "value": {"app": "llm"}}]
    resp = await client.patch(f"{DEPLOY}/llm", json=ops, headers=JSON_PATCH)
    assert resp.status == 200, await resp.text()
    assert stored(world)["spec"]["template"]["metadata"] == {"labels": {"app": "llm"},
                                                             "creationTimestamp": None}
    assert container(world)["image"] == "registry.local/server:0.9"
