"""The sandbox's Kubernetes face over a hand-filled store: discovery, get, list with
paging and selectors, watch with versions, bookmarks and expiry, Tables, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from console.sandbox.kube_face import make_app
from console.sandbox.store import ObjectStore
from tests.adapters.kube_fakes import FakeWorld, deployment, namespace, pod, seeded_world

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.fixture
def world() -> FakeWorld:
    return seeded_world()


@pytest.fixture
async def client(world: FakeWorld) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(make_app(world, bookmark_interval=0.2))) as c:
        yield c


async def names(client: TestClient[Any, Any], path: str, **params: str) -> list[str]:
    resp = await client.get(path, params=params)
    assert resp.status == 200, await resp.text()
    return [item["metadata"]["name"] for item in (await resp.json())["items"]]


async def read_events(resp: Any, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    events = []
    while len(events) < count:
        line = await asyncio.wait_for(resp.content.readline(), timeout)
        if not line:
            break
        events.append(json.loads(line))
    return events


async def test_core_discovery_lists_resources_with_short_names_and_subresources(client):
    body = await (await client.get("/api/v1")).json()
    by_name = {r["name"]: r for r in body["resources"]}
    assert body["groupVersion"] == "v1"
    assert by_name["pods"]["shortNames"] == ["po"]
    assert by_name["nodes"]["namespaced"] is False
    assert "watch" in by_name["events"]["verbs"]
    assert by_name["pods/log"]["verbs"] == ["get"]
    assert {"no", "po", "svc", "ev", "ns"} <= {s for r in by_name.values()
                                              for s in r.get("shortNames", [])}


async def test_apps_discovery_announces_scale_as_an_autoscaling_v1_scale(client):
    groups = await (await client.get("/apis")).json()
    assert groups["groups"][0]["preferredVersion"]["groupVersion"] == "apps/v1"
    body = await (await client.get("/apis/apps/v1")).json()
    scale = next(r for r in body["resources"] if r["name"] == "deployments/scale")
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")


async def test_version_reports_a_1_32_server(client):
    body = await (await client.get("/version")).json()
    assert (body["major"], body["minor"]) == ("1", "32")


async def test_list_across_namespaces_is_sorted_by_namespace_then_name(client):
    assert await names(client, "/api/v1/pods") == [
        "canary-0", "llm-0", "llm-1", "llm-2", "trainer-0"]
    assert await names(client, "/api/v1/namespaces/training/pods") == ["trainer-0"]


async def test_list_carries_the_kind_and_current_resource_version(client, world):
    body = await (await client.get("/apis/apps/v1/namespaces/serving/deployments")).json()
    assert body["kind"] == "DeploymentList"
    assert body["apiVersion"] == "apps/v1"
    assert body["metadata"]["resourceVersion"] == str(world.store.resource_version)


async def test_paging_with_limit_and_continue_returns_every_object_once(client):
    seen, token, pages = [], "", 0
    while True:
        params = {"limit": "2", **({"continue": token} if token else {})}
        body = await (await client.get("/api/v1/pods", params=params)).json()
        seen += [item["metadata"]["name"] for item in body["items"]]
        pages += 1
        token = body["metadata"].get("continue", "")
        if not token:
            break
        assert body["metadata"]["remainingItemCount"] == 5 - len(seen)
    assert pages == 3
    assert seen == ["canary-0", "llm-0", "llm-1", "llm-2", "trainer-0"]


async def test_continue_token_older_than_the_history_is_410_expired():
    world = FakeWorld(ObjectStore(history=2))
    world.store.create("namespaces", namespace("serving"))
    for i in range(4):
        world.store.create("pods", pod(f"p-{i}"))
    async with TestClient(TestServer(make_app(world))) as client:
        first = await (await client.get("/api/v1/pods", params={"limit": "1"})).json()
        for i in range(4, 7):
            world.store.create("pods", pod(f"p-{i}"))
        resp = await client.get("/api/v1/pods",
                                params={"limit": "1", "continue": first["metadata"]["continue"]})
        body = await resp.json()
    assert resp.status == 410
    assert (body["kind"], body["reason"], body["code"]) == ("Status", "Expired", 410)


@pytest.mark.parametrize(("selector", "expected"), [
    ("app=llm,track=stable", ["llm-0", "llm-1", "llm-2"]),
    ("track==canary", ["canary-0"]),
    ("track!=stable", ["canary-0", "trainer-0"]),
    ("track in (canary, shadow)", ["canary-0"]),
    ("track notin (stable),app", ["canary-0"]),
    ("job", ["trainer-0"]),
    ("!track", ["trainer-0"]),
])
async def test_label_selectors_filter_like_the_api_server(client, selector, expected):
    assert await names(client, "/api/v1/pods", labelSelector=selector) == expected


@pytest.mark.parametrize(("selector", "expected"), [
    ("spec.nodeName=gpu-node-2", ["canary-0"]),
    ("status.phase!=Running", ["trainer-0"]),
    ("metadata.namespace=serving,metadata.name==llm-1", ["llm-1"]),
    ("spec.nodeName=", ["trainer-0"]),
])
async def test_field_selectors_filter_on_indexed_fields(client, selector, expected):
    assert await names(client, "/api/v1/pods", fieldSelector=selector) == expected


async def test_an_unsupported_field_selector_is_a_bad_request(client):
    resp = await client.get("/api/v1/pods", params={"fieldSelector": "spec.priority=3"})
    body = await resp.json()
    assert resp.status == 400
    assert body["reason"] == "BadRequest"
    assert "field label not supported: spec.priority" in body["message"]


async def test_a_missing_object_is_a_not_found_status_naming_it(client):
    resp = await client.get("/apis/apps/v1/namespaces/serving/deployments/ghost")
    body = await resp.json()
    assert resp.status == 404
    assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": 'deployments.apps "ghost" not found', "reason": "NotFound",
                    "details": {"name": "ghost", "group": "apps", "kind": "deployments"},
                    "code": 404}


async def test_an_unknown_path_is_a_not_found_status(client):
    for path in ("/api/v1/widgets", "/apis/batch/v1/jobs", "/api/v1/pods/llm-0"):
        resp = await client.get(path)
        assert resp.status == 404
        assert (await resp.json())["message"] == "the server could not find the requested resource"


async def test_a_write_to_a_collection_with_put_is_method_not_allowed(client):
    resp = await client.put("/api/v1/namespaces/serving/pods", json={})
    assert resp.status == 405
    assert (await resp.json())["reason"] == "MethodNotAllowed"


async def test_a_table_request_gets_kubectls_pod_columns_and_row_metadata(client):
    resp = await client.get("/api/v1/namespaces/serving/pods", headers={"Accept": TABLE})
    body = await resp.json()
    assert body["kind"] == "Table"
    assert [c["name"] for c in body["columnDefinitions"] if c["priority"] == 0] == [
        "Name", "Ready", "Status", "Restarts", "Age"]
    first = body["rows"][0]
    assert first["cells"][:5] == ["canary-0", "1/1", "Running", "0", "60m"]
    assert first["object"]["kind"] == "PartialObjectMetadata"
    assert first["object"]["metadata"]["namespace"] == "serving"


async def test_a_table_of_one_deployment_shows_ready_over_desired(client):
    resp = await client.get("/apis/apps/v1/namespaces/serving/deployments/llm",
                            headers={"Accept": TABLE})
    row = (await resp.json())["rows"][0]["cells"]
    assert row[:4] == ["llm", "2/2", 2, 2]


async def test_watch_from_a_version_streams_only_later_changes(client, world):
    since = world.store.resource_version
    async with client.get("/api/v1/namespaces/serving/pods",
                          params={"watch": "1", "resourceVersion": str(since)}) as resp:
        world.store.create("pods", pod("llm-3", labels={"app": "llm"}))
        world.store.create("pods", pod("elsewhere", "training"))
        world.store.delete("pods", "serving", "llm-0")
        events = await read_events(resp, 2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "llm-3"), ("DELETED", "llm-0")]
    assert int(events[-1]["object"]["metadata"]["resourceVersion"]) > since


async def test_watch_without_a_version_starts_with_every_object_as_added(client):
    async with client.get("/apis/apps/v1/deployments", params={"watch": "true"}) as resp:
        events = await read_events(resp, 1)
    assert events[0]["type"] == "ADDED"
    assert events[0]["object"]["kind"] == "Deployment"


async def test_watch_sends_bookmarks_when_the_client_allows_them(client, world):
    params = {"watch": "1", "allowWatchBookmarks": "true",
              "resourceVersion": str(world.store.resource_version)}
    async with client.get("/api/v1/pods", params=params) as resp:
        world.store.create("namespaces", namespace("platform"))
        events = await read_events(resp, 1)
    assert events[0]["type"] == "BOOKMARK"
    assert events[0]["object"]["kind"] == "Pod"
    assert events[0]["object"]["metadata"]["resourceVersion"] == str(world.store.resource_version)


async def test_watch_from_an_expired_version_ends_with_a_410_error_event():
    world = FakeWorld(ObjectStore(history=2))
    world.store.create("namespaces", namespace("serving"))
    for i in range(5):
        world.store.create("pods", pod(f"p-{i}"))
    async with TestClient(TestServer(make_app(world))) as client, client.get(
        "/api/v1/pods", params={"watch": "1", "resourceVersion": "2"}
    ) as resp:
        events = await read_events(resp, 2)
    assert resp.status == 200
    assert len(events) == 1
    assert events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired")
    assert status["message"].startswith("too old resource version: 2")


async def test_a_selected_watch_reports_an_object_leaving_the_selection_as_deleted(client, world):
    params = {"watch": "1", "labelSelector": "track=stable",
              "resourceVersion": str(world.store.resource_version)}
    async with client.get("/api/v1/pods", params=params) as resp:
        moved = world.store.get("pods", "serving", "llm-1")
        assert moved is not None
        relabelled = json.loads(json.dumps(moved))
        relabelled["metadata"]["labels"]["track"] = "canary"
        world.store.update("pods", relabelled)
        relabelled["metadata"]["labels"]["track"] = "stable"
        world.store.update("pods", relabelled)
        events = await read_events(resp, 2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("DELETED", "llm-1"), ("ADDED", "llm-1")]


async def test_watch_ends_after_its_timeout_seconds(client, world):
    params = {"watch": "1", "timeoutSeconds": "1",
              "resourceVersion": str(world.store.resource_version)}
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with client.get("/api/v1/pods", params=params) as resp:
        assert await asyncio.wait_for(resp.content.read(), 5) == b""
    assert 0.9 <= loop.time() - started < 3


async def test_many_concurrent_watches_all_see_one_change(client, world):
    since = str(world.store.resource_version)
    responses = [await client.get("/apis/apps/v1/deployments",
                                  params={"watch": "1", "resourceVersion": since})
                 for _ in range(50)]
    world.store.create("deployments", deployment("reranker"))
    batches = await asyncio.gather(*(read_events(r, 1) for r in responses))
    for resp in responses:
        resp.close()
    assert {b[0]["object"]["metadata"]["name"] for b in batches} == {"reranker"}


async def test_a_list_after_a_change_shows_the_change_not_a_cached_copy(client, world):
    assert await names(client, "/api/v1/pods", labelSelector="tier") == []
    changed = json.loads(json.dumps(world.store.get("pods", "serving", "llm-0")))
    changed["metadata"]["labels"]["tier"] = "gpu"
    world.store.update("pods", changed)
    body = await (await client.get("/api/v1/namespaces/serving/pods")).json()
    first = body["items"][1]
    assert (first["metadata"]["name"], first["metadata"]["labels"]["tier"]) == ("llm-0", "gpu")
    world.store.delete("pods", "serving", "llm-0")
    world.store.create("pods", pod("llm-0", labels={"generation": "two"}))
    body = await (await client.get("/api/v1/namespaces/serving/pods")).json()
    assert body["items"][1]["metadata"]["labels"] == {"generation": "two"}


async def test_send_initial_events_ends_the_initial_state_with_a_marked_bookmark(client, world):
    params = {"watch": "1", "sendInitialEvents": "true", "allowWatchBookmarks": "true",
              "resourceVersionMatch": "NotOlderThan", "resourceVersion": ""}
    async with client.get("/api/v1/namespaces/training/pods", params=params) as resp:
        events = await read_events(resp, 2)
    assert [e["type"] for e in events] == ["ADDED", "BOOKMARK"]
    marker = events[1]["object"]["metadata"]
    assert marker["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert marker["resourceVersion"] == str(world.store.resource_version)


async def test_a_table_watch_sends_column_definitions_only_once(client, world):
    params = {"watch": "1", "resourceVersion": str(world.store.resource_version)}
    async with client.get("/api/v1/namespaces/serving/pods", params=params,
                          headers={"Accept": TABLE}) as resp:
        world.store.create("pods", pod("llm-3"))
        world.store.create("pods", pod("llm-4"))
        events = await read_events(resp, 2)
    tables = [e["object"] for e in events]
    assert [t["kind"] for t in tables] == ["Table", "Table"]
    assert tables[0]["columnDefinitions"] and not tables[1]["columnDefinitions"]
    assert [t["rows"][0]["cells"][0] for t in tables] == ["llm-3", "llm-4"]
