"""The Prometheus adapter against the sandbox's Prometheus face (served from a
small world of its own) and against a face that misbehaves."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.base import InvalidRequest, MetricsAdapter, Timeout, Unavailable
from adapters.prometheus import PrometheusAdapter
from adapters.prometheus_parse import choose_step
from console.sandbox.prom_face import make_app
from console.sandbox.store import ObjectStore

BAD = "registry.acme.ai/serving/mistral-7b-chat:v0.9.1-rc2"


class MiniWorld:
    """Two pods of a bad release on one GPU node, on the real clock."""

    seed = 7

    def __init__(self) -> None:
        self.store = ObjectStore()
        self.store.create("nodes", {
            "metadata": {"name": "gpu-a", "labels": {"nvidia.com/gpu.product": "NVIDIA-L4"}},
            "status": {"allocatable": {"nvidia.com/gpu": "2"}}})
        for i in (1, 2):
            self.store.create("pods", {
                "metadata": {"namespace": "serving", "name": f"mistral-{i}",
                             "labels": {"app": "mistral", "track": "stable"}},
                "spec": {"nodeName": "gpu-a", "containers": [{
                    "name": "server", "image": BAD,
                    "resources": {"limits": {"nvidia.com/gpu": "1"}}}]},
                "status": {"phase": "Running",
                           "conditions": [{"type": "Ready", "status": "True"}]}})

    def now(self) -> float:
        return time.time()


async def serve(app: web.Application) -> AsyncIterator[str]:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest.fixture
async def face_url() -> AsyncIterator[str]:
    async for url in serve(make_app(MiniWorld())):
        yield url


@pytest.fixture
async def adapter(face_url: str) -> AsyncIterator[PrometheusAdapter]:
    a = PrometheusAdapter(face_url, timeout=5)
    await a.connect()
    yield a
    await a.close()


def test_the_adapter_satisfies_the_metrics_protocol() -> None:
    assert isinstance(PrometheusAdapter("http://127.0.0.1:9"), MetricsAdapter)


async def test_an_instant_query_returns_one_point_per_series(adapter: PrometheusAdapter) -> None:
    result = await adapter.query('sum by (pod) (model_requests_total{code="500"})')
    assert result.result_type == "vector"
    assert sorted(s.labels["pod"] for s in result.series) == ["mistral-1", "mistral-2"]
    assert all(len(s.points) == 1 and s.points[0][1] > 0 for s in result.series)


async def test_a_range_query_stays_within_the_points_asked_for(adapter: PrometheusAdapter) -> None:
    end = time.time()
    result = await adapter.query_range("sum(rate(model_requests_total[5m]))", end - 6 * 3600,
                                       end, max_points=160)
    assert result.step is not None and result.step >= 6 * 3600 / 159
    assert len(result.series[0].points) == 6 * 3600 // result.step + 1 <= 160


async def test_a_malformed_query_raises_invalid_request_titled_bad_data(
    adapter: PrometheusAdapter,
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await adapter.query("sum(rate(model_requests_total[5m])")
    assert caught.value.title == "bad_data" and "parse error" in caught.value.detail


async def test_warnings_from_the_server_are_kept(adapter: PrometheusAdapter) -> None:
    result = await adapter.query("rate(DCGM_FI_DEV_GPU_UTIL[5m])")
    assert any("might not be a counter" in w for w in result.warnings)


async def test_alerts_and_rules_show_the_bad_release_firing(adapter: PrometheusAdapter) -> None:
    alerts = await adapter.alerts()
    firing = [a for a in alerts if a.name == "ModelServerHighErrorRate"]
    assert firing and firing[0].state == "firing" and firing[0].severity == "critical"
    assert "5xx" in firing[0].annotations["summary"]
    rules = {r.name: r for r in await adapter.rules()}
    assert rules["ModelServerHighErrorRate"].state == "firing"
    assert rules["ModelServerHighErrorRate"].duration == 120


async def test_label_values_lists_the_deployments(adapter: PrometheusAdapter) -> None:
    assert await adapter.label_values("deployment") == ["mistral"]


async def test_a_refused_connection_is_unavailable() -> None:
    with pytest.raises(Unavailable):
        await PrometheusAdapter("http://127.0.0.1:9", timeout=2).query("1")


async def test_a_slow_server_times_out_once_without_retrying() -> None:
    calls = 0
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        with contextlib.suppress(TimeoutError):  # bounds the wait only if the test breaks
            await asyncio.wait_for(release.wait(), 10)
        return web.json_response({"status": "success", "data": {}})

    app = web.Application()
    app.router.add_route("*", "/api/v1/query", slow)
    async for url in serve(app):
        try:
            with pytest.raises(Timeout):
                await PrometheusAdapter(url, timeout=0.3).query("up")
            assert calls == 1
        finally:
            release.set()


async def test_a_server_timeout_envelope_raises_timeout() -> None:
    async def busy(request: web.Request) -> web.Response:
        body: dict[str, Any] = {"status": "error", "errorType": "timeout",
                                "error": "query timed out in expression evaluation"}
        return web.json_response(body, status=503)

    app = web.Application()
    app.router.add_route("*", "/api/v1/query", busy)
    async for url in serve(app):
        with pytest.raises(Timeout) as caught:
            await PrometheusAdapter(url).query("up")
        assert caught.value.title == "timeout"


def test_the_step_is_a_nice_number_that_keeps_points_under_the_limit() -> None:
    assert choose_step(0, 86_400, 200) == 600
    assert choose_step(0, 3_600, 11_000) == 1
    assert choose_step(0, 30 * 86_400, 50_000) == 300  # Prometheus's 11,000 still applies
