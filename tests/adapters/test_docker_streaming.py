"""The build-output budget: a line reaches the adapter's consumer within 100 ms of
the daemon sending it, however long the daemon then stays silent.

A minimal Engine API (ping, version, build) stands in for the daemon so the test
can stamp the moment each line leaves it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.docker import DockerAdapter

BUDGET = 0.100
SILENCE = 0.6


@pytest.fixture
async def slow_daemon() -> AsyncIterator[tuple[str, dict[str, float]]]:
    sent: dict[str, float] = {}

    async def ping(request: web.Request) -> web.Response:
        return web.Response(text="OK", headers={"Api-Version": "1.47"})

    async def version(request: web.Request) -> web.Response:
        return web.json_response({"ApiVersion": "1.47", "MinAPIVersion": "1.24"})

    async def build(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for text, pause in (("Step 1/2 : RUN train", SILENCE), ("epoch 1 done\n", SILENCE)):
            await response.write(json.dumps({"stream": text}).encode() + b"\r\n")
            sent[text.strip()] = time.monotonic()
            await asyncio.sleep(pause)
        await response.write(json.dumps({"aux": {"ID": "sha256:" + "ab" * 32}}).encode() + b"\r\n")
        return response

    app = web.Application()
    app.router.add_get("/v1.47/_ping", ping)
    app.router.add_get("/version", version)
    app.router.add_post("/v1.47/build", build)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield f"tcp://127.0.0.1:{server.port}", sent
    await server.close()


async def test_build_output_reaches_the_consumer_within_100_ms_of_being_sent(
    slow_daemon: tuple[str, dict[str, float]], tmp_path: Path
) -> None:
    endpoint, sent = slow_daemon
    (tmp_path / "Dockerfile").write_text("FROM scratch\nRUN train\n")
    adapter = DockerAdapter(endpoint)
    await adapter.connect()
    arrived: dict[str, float] = {}
    async with aclosing(adapter.build(str(tmp_path))) as events:
        async for event in events:
            key = (
                event.instruction and f"Step {event.step}/{event.total_steps} : {event.instruction}"
            )
            arrived[key or event.output] = time.monotonic()
    await adapter.close()

    for line in ("Step 1/2 : RUN train", "epoch 1 done"):
        assert arrived[line] - sent[line] < BUDGET, (
            f"{line!r} took {arrived[line] - sent[line]:.3f}s"
        )
