"""Pod logs through the sandbox's Kubernetes face: tail, since, timestamps, previous,
follow, and the kubelet's refusals worded as the real API words them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from console.sandbox.kube_face import make_app
from tests.adapters.kube_fakes import NOW, FakeWorld, pod, seeded_world

LOG = "/api/v1/namespaces/serving/pods/{}/log"


@pytest.fixture
def world() -> FakeWorld:
    world = seeded_world()
    world.store.create("pods", pod("multi", containers=("server", "proxy")))
    world.logs.current[("serving", "llm-0", "main")] = [
        (NOW - 300 + i * 60, f"line {i}") for i in range(5)]
    world.logs.current[("serving", "llm-1", "main")] = [(NOW - 5, "restarted")]
    world.logs.previous[("serving", "llm-1", "main")] = [(NOW - 100, "Traceback: boom")]
    return world


@pytest.fixture
async def client(world: FakeWorld) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(make_app(world))) as c:
        yield c


async def text(client: TestClient[Any, Any], name: str, **params: str) -> tuple[int, str]:
    resp = await client.get(LOG.format(name), params=params)
    return resp.status, await resp.text()


async def message(client: TestClient[Any, Any], name: str, **params: str) -> str:
    resp = await client.get(LOG.format(name), params=params)
    assert resp.status == 400
    body = await resp.json()
    assert body["reason"] == "BadRequest"
    return str(body["message"])


async def test_logs_are_plain_text_lines(client):
    status, body = await text(client, "llm-0")
    assert status == 200
    assert body == "".join(f"line {i}\n" for i in range(5))


async def test_tail_lines_keeps_the_last_n(client):
    assert (await text(client, "llm-0", tailLines="2"))[1] == "line 3\nline 4\n"


async def test_since_seconds_keeps_recent_lines(client):
    assert (await text(client, "llm-0", sinceSeconds="90"))[1] == "line 4\n"


async def test_timestamps_prefix_each_line_with_rfc3339_nanoseconds(client):
    body = (await text(client, "llm-0", tailLines="1", timestamps="true"))[1]
    assert body == "2025-06-15T15:59:00.000000000Z line 4\n"


async def test_limit_bytes_truncates(client):
    assert (await text(client, "llm-0", limitBytes="9"))[1] == "line 0\nli"


async def test_previous_returns_the_earlier_instance(client):
    assert (await text(client, "llm-1", previous="true"))[1] == "Traceback: boom\n"


async def test_previous_without_a_restart_is_refused_like_the_real_api(client):
    assert await message(client, "llm-0", previous="true") == (
        'previous terminated container "main" in pod "llm-0" not found')


async def test_several_containers_and_no_container_parameter_is_refused(client):
    assert await message(client, "multi") == (
        "a container name must be specified for pod multi, choose one of: [server proxy]")


async def test_an_unknown_container_is_refused(client):
    assert await message(client, "llm-0", container="sidecar") == (
        "container sidecar is not valid for pod llm-0")


async def test_a_pod_without_a_node_has_no_logs(client):
    resp = await client.get("/api/v1/namespaces/training/pods/trainer-0/log")
    assert resp.status == 400
    assert (await resp.json())["message"] == "pod trainer-0 does not have a host assigned"


async def test_a_container_that_never_started_is_waiting(client, world):
    world.store.create("pods", pod("fresh", phase="Pending"))
    assert await message(client, "fresh") == (
        'container "main" in pod "fresh" is waiting to start: ContainerCreating')


async def test_logs_of_a_missing_pod_are_not_found(client):
    resp = await client.get(LOG.format("ghost"))
    assert resp.status == 404
    assert (await resp.json())["message"] == 'pods "ghost" not found'


async def test_follow_streams_the_history_then_new_lines_until_the_instance_ends(client, world):
    queue = world.logs.queue("serving", "llm-1", "main")
    async with client.get(LOG.format("llm-1"), params={"follow": "true"}) as resp:
        assert await asyncio.wait_for(resp.content.readline(), 5) == b"restarted\n"
        queue.put_nowait((NOW + 1, "GET /v1/models 200"))
        assert await asyncio.wait_for(resp.content.readline(), 5) == b"GET /v1/models 200\n"
        queue.put_nowait(None)
        assert await asyncio.wait_for(resp.content.read(), 5) == b""


async def test_follow_does_not_repeat_lines_the_history_already_held(client, world):
    queue = world.logs.queue("serving", "llm-1", "main")
    queue.put_nowait((NOW - 5, "restarted"))
    queue.put_nowait((NOW + 2, "ready"))
    queue.put_nowait(None)
    async with client.get(LOG.format("llm-1"), params={"follow": "1"}) as resp:
        assert await asyncio.wait_for(resp.content.read(), 5) == b"restarted\nready\n"
