"""Container logs (current, previous, follow) and the world's controller loop."""

from __future__ import annotations

import asyncio

import pytest

from console.sandbox.store import ObjectStore
from console.sandbox.world import TICK, World
from tests.unit.worldkit import add_deployment, add_node, bare_world, pods_of

VLLM = "vllm/vllm-openai:v0.6.3"
CRASHING = "registry.acme.ai/serving/sdxl-server:2.1.0"


def _running(image: str, seconds: float = 200) -> tuple[World, str]:
    world = bare_world()
    add_node(world, "node-1")
    add_deployment(world, "app", replicas=1, image=image)
    world.step(seconds)
    [pod] = pods_of(world, "app-")
    return world, pod["metadata"]["name"]


def test_a_model_server_logs_its_start_up_then_requests_as_time_passes() -> None:
    world, pod = _running(VLLM)
    lines = world.logs.lines("default", pod, "app")
    texts = [text for _, text in lines]
    assert any("vLLM API server version 0.6.3" in t for t in texts)
    assert any("Uvicorn running on" in t for t in texts)
    assert any('"POST /v1/chat/completions HTTP/1.1" 200 OK' in t for t in texts)
    assert [t for t, _ in lines] == sorted(t for t, _ in lines)
    world.step(60)
    assert len(world.logs.lines("default", pod, "app")) > len(lines)


def test_logs_are_bounded_per_container() -> None:
    world, pod = _running(VLLM, seconds=20 * 3600)
    assert len(world.logs.lines("default", pod, "app")) == 5000


def test_previous_logs_hold_the_stack_trace_of_the_crashed_instance() -> None:
    world, pod = _running(CRASHING, seconds=60)
    previous = [text for _, text in world.logs.lines("default", pod, "app", previous=True)]
    assert previous[-1] == "ERROR:    Application startup failed. Exiting."
    assert any(t.startswith("OSError:") for t in previous)


def test_previous_logs_of_a_container_that_never_restarted_are_a_lookup_error() -> None:
    world, pod = _running("registry.example/app:1.0", seconds=10)
    with pytest.raises(LookupError):
        world.logs.lines("default", pod, "app", previous=True)


def test_logs_of_an_unknown_pod_or_container_are_a_key_error() -> None:
    world, pod = _running("registry.example/app:1.0", seconds=10)
    with pytest.raises(KeyError):
        world.logs.lines("default", "no-such-pod", "app")
    with pytest.raises(KeyError):
        world.logs.lines("default", pod, "sidecar")


async def test_following_logs_yields_new_lines_and_ends_when_the_pod_is_deleted() -> None:
    world, pod = _running(VLLM)
    follower = world.logs.follow("default", pod, "app")
    first = asyncio.ensure_future(anext(follower))
    await asyncio.sleep(0)
    world.step(30)
    stamp, text = await asyncio.wait_for(first, 2)
    assert stamp > world.now() - 31 and text
    world.store.delete("pods", "default", pod)
    remaining = [line async for line in follower]
    assert all(isinstance(t, str) for _, t in remaining)


async def test_the_running_loop_reconciles_a_new_deployment_without_being_stepped() -> None:
    world = World(ObjectStore(), speed=50)
    task = asyncio.create_task(world.run())
    try:
        add_node(world, "node-1")
        add_deployment(world, "app", replicas=2)
        for _ in range(100):
            await asyncio.sleep(0.05)
            d = world.store.get("deployments", "default", "app")
            if d and d["status"].get("availableReplicas") == 2:
                break
        assert d and d["status"].get("availableReplicas") == 2
    finally:
        task.cancel()


async def test_an_idle_world_sleeps_between_its_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its CPU cost is ``python -m bench.sandbox``."""
    world = bare_world()
    add_node(world, "node-1")
    add_deployment(world, "app", replicas=2, image=VLLM)
    world.step(200)
    reconciles = 0
    reconcile = world.reconcile

    def counted() -> None:
        nonlocal reconciles
        reconciles += 1
        reconcile()

    monkeypatch.setattr(world, "reconcile", counted)
    task = asyncio.create_task(world.run())
    try:
        await asyncio.sleep(1.0)
    finally:
        task.cancel()
    wakes = 1.0 / TICK + 1  # one a tick, and the first: nothing else is due
    assert 0 < reconciles <= 3 * wakes  # a few a wake-up; a spinning loop makes thousands
