"""Build output latency: from the daemon sending a line to the adapter's consumer.

    python -m bench.build_output [--lines 20]

Budget: a line of build output reaches the consumer within 100 ms of the daemon
sending it, however long the daemon then stays silent.

A minimal Engine API (ping, version, build) runs in a child process (started as
``python -m bench.build_output --serve``). Each line it sends carries the
``time.monotonic()`` of its sending (the clock is system-wide on Linux), and the
daemon stays silent for ``SILENCE`` s after it, so a line held back until more
bytes arrive shows as a latency of at least ``SILENCE``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

from adapters.docker import DockerAdapter

BUDGET = 0.100
SILENCE = 0.25
API = "1.47"


async def serve(lines: int) -> None:
    """Serve the minimal Engine API on a free loopback port, print the port, and
    stop when standard input closes."""

    async def ping(request: web.Request) -> web.Response:
        return web.Response(text="OK", headers={"Api-Version": API})

    async def version(request: web.Request) -> web.Response:
        return web.json_response({"ApiVersion": API, "MinAPIVersion": "1.24"})

    async def build(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for i in range(lines):
            line = f"epoch {i} sent at {time.monotonic():.6f}\n"
            await response.write(json.dumps({"stream": line}).encode() + b"\r\n")
            await asyncio.sleep(SILENCE)
        await response.write(json.dumps({"aux": {"ID": "sha256:" + "ab" * 32}}).encode() + b"\r\n")
        return response

    app = web.Application()
    app.router.add_get(f"/v{API}/_ping", ping)
    app.router.add_get("/version", version)
    app.router.add_post(f"/v{API}/build", build)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(runner.addresses[0][1], flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await runner.cleanup()


async def latencies(endpoint: str) -> list[float]:
    """Seconds from sending to consuming, for each line of one build."""
    adapter = DockerAdapter(endpoint)
    await adapter.connect()
    found = []
    with tempfile.TemporaryDirectory(prefix="bench-build-") as context:
        (Path(context) / "Dockerfile").write_text("FROM scratch\n")
        async for event in adapter.build(context):
            if " sent at " in event.output:
                found.append(time.monotonic() - float(event.output.rsplit(" ", 1)[1]))
    await adapter.close()
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--serve", action="store_true", help="be the daemon (the child)")
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.lines))
        return
    command = [sys.executable, "-m", "bench.build_output", "--serve", "--lines", str(args.lines)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                          cwd=Path(__file__).resolve().parents[1]) as daemon:  # fmt: skip
        assert daemon.stdin is not None and daemon.stdout is not None
        port = int(daemon.stdout.readline())
        times = asyncio.run(latencies(f"tcp://127.0.0.1:{port}"))
        daemon.stdin.close()
    print(f"build line to consumer  median {statistics.median(times) * 1000:.1f} ms "
          f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}; {len(times)} lines, "
          f"{SILENCE:.2f} s of silence after each)  budget {BUDGET * 1000:.0f} ms")


if __name__ == "__main__":
    main()
