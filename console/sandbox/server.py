"""The sandbox served on loopback: the world, its controller loop and one HTTP face
per backend (Kubernetes, and — where their modules exist — Prometheus and Docker).

``SandboxServer`` runs on the caller's event loop; ``ThreadedSandbox`` runs one on
a thread of its own (tests, the embedded console); ``spawn`` runs one in a child
process (benchmarks, and a console that must not share its GIL).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, TypeVar

from aiohttp import web

from console.sandbox import kubeconfig
from console.sandbox.kube_face import make_app
from console.sandbox.process import SandboxProcess, spawn
from console.sandbox.store import ObjectStore
from console.sandbox.world import World

__all__ = ["SandboxProcess", "SandboxServer", "ThreadedSandbox", "spawn"]

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Seconds a stopping server waits for open requests (watches, followed logs).
SHUTDOWN_GRACE = 0.5


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if it runs) for the duration. Building
    a world allocates containers by the hundred thousand, all long-lived, and the
    collections they set off walk the growing heap again and again: a third of
    the build of a 5,000-pod world. Reference counting still frees everything."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _optional_module(name: str) -> ModuleType | None:
    """``console.sandbox.<name>``, or None while that module does not exist."""
    qualified = f"console.sandbox.{name}"
    try:
        return importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if exc.name == qualified:
            return None
        raise


def _report_crash(task: asyncio.Task[None]) -> None:
    """Log the controller loop's failure (the faces keep serving a frozen world)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("the sandbox world stopped", exc_info=task.exception())


class SandboxServer:
    """The world plus its faces, served on ``host`` (port 0 = any free port)."""

    def __init__(self, *, seed: int = 7, speed: float = 1.0, pods: int | None = None,
                 nodes: int | None = None, host: str = "127.0.0.1", kube_port: int = 0,
                 prometheus_port: int = 0, docker_port: int = 0,
                 sockets: Mapping[str, socket.socket] | None = None) -> None:
        self.world = World(ObjectStore(), seed=seed, speed=speed, pods=pods, nodes=nodes)
        self.host = host
        self.kube_url = ""
        self.prometheus_url: str | None = None
        self.docker_url: str | None = None
        self._ports = {"kube": kube_port, "prom_face": prometheus_port,
                       "docker_face": docker_port}
        #: Listening sockets handed over by a parent ("kube", "prom_face",
        #: "docker_face"): served as they are, so no port is chosen twice.
        self._sockets = dict(sockets or {})
        self._runners: list[web.AppRunner] = []
        self._loop_task: asyncio.Task[None] | None = None
        self._populated = False

    async def _serve(self, app: web.Application, face: str) -> int:
        runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_GRACE, access_log=None)
        await runner.setup()
        self._runners.append(runner)
        sock = self._sockets.get(face)
        site: web.BaseSite = (
            web.SockSite(runner, sock) if sock is not None
            else web.TCPSite(runner, self.host, self._ports[face])
        )
        await site.start()
        return int(runner.addresses[-1][1])

    async def start(self) -> None:
        """Populate the world (first start only), start its controller loop and serve
        each face. Raises ``OSError`` when a requested port is taken."""
        with _collector_paused():
            if not self._populated:
                self.world.populate()
                self._populated = True
            self._loop_task = asyncio.create_task(self.world.run(), name="sandbox-world")
            self._loop_task.add_done_callback(_report_crash)
            try:
                await self._serve_faces()
            except BaseException:
                await self.stop()
                raise

    async def _serve_faces(self) -> None:
        port = await self._serve(make_app(self.world), "kube")
        self.kube_url = f"http://{self.host}:{port}"
        prom = _optional_module("prom_face")
        if prom is not None:
            port = await self._serve(prom.make_app(self.world), "prom_face")
            self.prometheus_url = f"http://{self.host}:{port}"
        docker = _optional_module("docker_face")
        if docker is not None:
            port = await self._serve(docker.make_app(self.world), "docker_face")
            self.docker_url = f"tcp://{self.host}:{port}"

    async def stop(self) -> None:
        """Stop serving (open watches are cut after a short grace) and stop the
        controller loop. The server can be started again on the same ports."""
        runners, self._runners = self._runners, []
        for runner in runners:
            await runner.cleanup()
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None

    def kubeconfig(self) -> dict[str, Any]:
        """A kubeconfig (cluster, user and context named ``sandbox``) for this server."""
        return kubeconfig.build(self.kube_url)

    def write_kubeconfig(self, path: str | Path) -> None:
        """Write :meth:`kubeconfig` to ``path`` with mode 0600."""
        kubeconfig.write(self.kubeconfig(), path)


class ThreadedSandbox:
    """A ``SandboxServer`` on its own thread and event loop, as a context manager."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.server: SandboxServer

    @property
    def kube_url(self) -> str:
        """The Kubernetes face's base URL, e.g. ``http://127.0.0.1:41234``."""
        return self.server.kube_url

    @property
    def prometheus_url(self) -> str | None:
        """The Prometheus face's base URL, or None when it is not served."""
        return self.server.prometheus_url

    @property
    def docker_url(self) -> str | None:
        """The Docker face's ``tcp://`` URL, or None when it is not served."""
        return self.server.docker_url

    def _submit(self, coro: Any) -> Future[Any]:
        assert self._loop is not None, "the sandbox is not running"
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def __enter__(self) -> ThreadedSandbox:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="sandbox", daemon=True)
        self._thread.start()

        async def build_and_start() -> SandboxServer:
            server = SandboxServer(**self._kwargs)
            await server.start()
            return server

        try:
            self.server = self._submit(build_and_start()).result(timeout=60)
        except BaseException:
            self._shutdown()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self._submit(self.server.stop()).result(timeout=30)
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        self._loop = self._thread = None

    def call(self, fn: Callable[[World], T]) -> T:
        """Run ``fn(world)`` on the sandbox's loop and return its result (or raise
        what it raised). Use it for anything that touches the world or its store."""

        async def run() -> T:
            return fn(self.server.world)

        result: T = self._submit(run()).result(timeout=30)
        return result

    def write_kubeconfig(self, path: str | Path) -> None:
        """Write a kubeconfig for this sandbox to ``path`` with mode 0600."""
        self.server.write_kubeconfig(path)
