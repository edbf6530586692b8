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


def test_a_child_serves_on_the_listening_sockets_its_parent_handed_over() -> None:
    import json
    import urllib.request

    from console.sandbox.process import listening_sockets, start

    sockets = listening_sockets()
    ports = [s.getsockname()[1] for s in sockets]
    child = start([], sockets=sockets)
    for sock in sockets:
        sock.close()
    try:
        ready = child.wait_ready(timeout=60)
        assert ready.kube_url == f"http://127.0.0.1:{ports[0]}"
        assert ready.prometheus_url == f"http://127.0.0.1:{ports[1]}"
        assert ready.docker_url == f"tcp://127.0.0.1:{ports[2]}"
        with urllib.request.urlopen(f"{ready.kube_url}/version", timeout=10) as reply:
            assert json.load(reply)["major"] == "1"
    finally:
        child.terminate()
