"""The sandbox engine's images and containers over time, without HTTP."""

from __future__ import annotations

import types

import pytest

from console.sandbox.docker_engine import DockerEngine
from console.sandbox.docker_format import EngineError
from console.sandbox.store import ObjectStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def deployment(name: str, image: str) -> dict[str, object]:
    template = {"spec": {"containers": [{"name": "main", "image": image}]}}
    return {"metadata": {"namespace": "serving", "name": name}, "spec": {"template": template}}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(clock: Clock) -> DockerEngine:
    store = ObjectStore()
    store.create("deployments", deployment("reranker", "registry.acme.ai/serving/reranker:0.4.2"))
    return DockerEngine(types.SimpleNamespace(store=store, seed=7), clock=clock)


def tags(engine: DockerEngine) -> set[str]:
    return {t for image in engine.images.all() for t in image.tags}


def test_images_of_new_deployments_appear_and_a_removed_one_is_not_pulled_again(
    engine: DockerEngine,
) -> None:
    engine.sync()
    assert "registry.acme.ai/serving/reranker:0.4.2" in tags(engine)
    engine.images.remove("registry.acme.ai/serving/reranker:0.4.2", force=False, users={})
    engine._store.create(
        "deployments", deployment("gateway", "registry.acme.ai/platform/llm-gateway:1.14.2")
    )
    engine.sync()
    assert "registry.acme.ai/platform/llm-gateway:1.14.2" in tags(engine)
    assert "registry.acme.ai/serving/reranker:0.4.2" not in tags(engine)


def test_images_on_the_same_base_share_their_base_layers(engine: DockerEngine) -> None:
    engine.images.ensure_pulled(["vllm/vllm-openai:v0.6.3", "vllm/vllm-openai:v0.6.4"])
    old, new = (engine.images.require(f"vllm/vllm-openai:v0.6.{v}").layer_digests() for v in (3, 4))
    assert old[:2] == new[:2] and old[-1] != new[-1]
    assert sum(size for _, size in new) == engine.images.require("vllm/vllm-openai:v0.6.4").size


def test_a_running_container_writes_periodic_lines_as_time_passes(
    engine: DockerEngine, clock: Clock
) -> None:
    bench = engine.containers.require("llm-bench")
    before = bench.lines(clock.now)
    clock.now += 5
    after = bench.lines(clock.now, after=before[-1][0])
    assert len(after) == 5 and all(line[0] > before[-1][0] for line in after)


def test_stopping_prints_the_shutdown_lines_and_starting_runs_the_startup_again(
    engine: DockerEngine, clock: Clock
) -> None:
    vllm = engine.containers.require("vllm-dev")
    assert vllm.stop(clock.now) and not vllm.stop(clock.now)
    assert vllm.lines(clock.now)[-1][2] == "INFO:     Finished server process [1]"
    assert vllm.status(clock.now + 120) == "Exited (0) 2 minutes ago"
    clock.now += 1
    assert vllm.start(clock.now) and not vllm.start(clock.now)
    assert "vLLM API server version 0.6.4" in vllm.lines(clock.now)[-1][2]


def test_a_container_that_exits_by_itself_is_exited_with_its_code(
    engine: DockerEngine, clock: Clock
) -> None:
    smoke = engine.containers.require("tokenizer-smoke")
    assert smoke.state(clock.now) == "exited"
    smoke.start(clock.now)
    assert smoke.state(clock.now + 1) == "running"
    assert smoke.status(clock.now + 10).startswith("Exited (1) ")


def test_cpu_time_only_grows_and_a_stopped_container_reports_zeros(
    engine: DockerEngine, clock: Clock
) -> None:
    vllm = engine.containers.require("vllm-dev")
    readings = [vllm.cpu_total(clock.now + s) for s in range(0, 60, 3)]
    assert readings == sorted(readings)
    vllm.stop(clock.now)
    assert vllm.stats(clock.now + 1, clock.now)["memory_stats"]["usage"] == 0


def test_containers_are_found_by_name_or_unique_id_prefix(engine: DockerEngine) -> None:
    bench = engine.containers.require("llm-bench")
    assert engine.containers.require(bench.id[:6]) is bench
    with pytest.raises(EngineError) as missing:
        engine.containers.require("nope")
    assert (missing.value.status, missing.value.message) == (404, "No such container: nope")
