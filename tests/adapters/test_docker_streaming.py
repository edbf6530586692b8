"""Build output streams: each line reaches the adapter's consumer while the daemon,
having sent it, stays silent. The latency figure is ``python -m bench.build_output``.

A minimal Engine API (ping, version, build) stands in for the daemon. After each
line it waits for the consumer to report that line before it sends anything more,
so output held back in a buffer until more bytes arrive is caught without timing it."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.docker import DockerAdapter

LINES = ("Step 1/2 : RUN train", "epoch 1 done")
#: Bounds the daemon's wait for the consumer, so a broken adapter fails rather than hangs.
HANG_GUARD = 10.0


@dataclass
class QuietDaemon:
    """Where the daemon listens, what the consumer has received, and which lines the
    consumer received while the daemon was still silent after sending them."""

    endpoint: str = ""
    received: dict[str, asyncio.Event] = field(default_factory=dict)
    streamed: list[str] = field(default_factory=list)

    def consumed(self, line: str) -> None:
        self.received.setdefault(line, asyncio.Event()).set()


@pytest.fixture
async def quiet_daemon() -> AsyncIterator[QuietDaemon]:
    daemon = QuietDaemon()

    async def ping(request: web.Request) -> web.Response:
        return web.Response(text="OK", headers={"Api-Version": "1.47"})

    async def version(request: web.Request) -> web.Response:
        return web.json_response({"ApiVersion": "1.47", "MinAPIVersion": "1.24"})

    async def build(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for text in (LINES[0], LINES[1] + "\n"):
            await response.write(json.dumps({"stream": text}).encode() + b"\r\n")
            got = daemon.received.setdefault(text.strip(), asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(got.wait(), HANG_GUARD)
                daemon.streamed.append(text.strip())
        await response.write(json.dumps({"aux": {"ID": "sha256:" + "ab" * 32}}).encode() + b"\r\n")
        return response

    app = web.Application()
    app.router.add_get("/v1.47/_ping", ping)
    app.router.add_get("/version", version)
    app.router.add_post("/v1.47/build", build)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    daemon.endpoint = f"tcp://127.0.0.1:{server.port}"
    yield daemon
    await server.close()


async def test_each_build_line_reaches_the_consumer_before_the_daemon_sends_more(
    quiet_daemon: QuietDaemon, tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\nRUN train\n")
    adapter = DockerAdapter(quiet_daemon.endpoint)
    await adapter.connect()
    async for event in adapter.build(str(tmp_path)):
        key = event.instruction and f"Step {event.step}/{event.total_steps} : {event.instruction}"
        quiet_daemon.consumed(key or event.output)
    await adapter.close()

    assert quiet_daemon.streamed == list(LINES)
