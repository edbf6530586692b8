"""Starting the sandbox server pauses the garbage collector only while it builds the
world, and serves every face by the time ``start()`` returns."""

from __future__ import annotations

import gc

from console.sandbox.server import SandboxServer


async def test_start_serves_every_face_and_leaves_the_collector_enabled() -> None:
    server = SandboxServer(seed=7)
    try:
        await server.start()
        assert gc.isenabled()
        assert server.kube_url and server.prometheus_url and server.docker_url
    finally:
        await server.stop()


async def test_start_leaves_a_collector_the_caller_disabled_disabled() -> None:
    server = SandboxServer(seed=7)
    gc.disable()
    try:
        await server.start()
        assert not gc.isenabled()
    finally:
        gc.enable()
        await server.stop()
