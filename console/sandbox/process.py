"""The sandbox as a process of its own.

``serve_forever(argv)`` is ``python -m console.sandbox`` (and ``opsconsole
sandbox``): it serves every face until SIGINT/SIGTERM and announces the URLs and
the kubeconfig it wrote — as text, or with ``--json`` as one JSON line on stdout.
``spawn(args)`` starts that as a child process and reads the announcement, so a
console or a benchmark can use a sandbox that does not share its interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def build_parser(prog: str = "python -m console.sandbox") -> argparse.ArgumentParser:
    """The sandbox's command-line options."""
    parser = argparse.ArgumentParser(prog=prog, description="Serve the opsconsole sandbox: "
                                     "a simulated GPU platform behind real wire APIs.")
    parser.add_argument("--seed", type=int, default=7, help="world seed (default 7)")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="simulated seconds per real second (default 1)")
    parser.add_argument("--pods", type=int, default=None, help="grow the world to ~N pods")
    parser.add_argument("--nodes", type=int, default=None, help="grow the world to N nodes")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
    parser.add_argument("--kube-port", type=int, default=0, help="Kubernetes API port")
    parser.add_argument("--prometheus-port", type=int, default=0, help="Prometheus API port")
    parser.add_argument("--docker-port", type=int, default=0, help="Docker API port")
    parser.add_argument("--listen-fds", metavar="K,P,D", default=None,
                        help="inherited listening sockets (file descriptors) for the "
                        "Kubernetes, Prometheus and Docker faces, instead of ports")
    parser.add_argument("--kubeconfig-out", metavar="PATH", default=None,
                        help="write the kubeconfig here (default: a temporary file)")
    parser.add_argument("--json", action="store_true",
                        help="announce the URLs as one JSON line on stdout")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when standard input closes (the parent went away)")
    return parser


def _announce(info: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(info), flush=True)
        return
    print(f"Kubernetes API  {info['kubernetes']}")
    print(f"Prometheus API  {info['prometheus'] or '(not available)'}")
    print(f"Docker API      {info['docker'] or '(not available)'}")
    print(f"kubeconfig      {info['kubeconfig']}")
    print(f"\n  kubectl --kubeconfig {info['kubeconfig']} get pods -A\n")
    print("Serving until interrupted (Ctrl-C).", flush=True)


async def _serve(args: argparse.Namespace) -> None:
    from console.sandbox.server import SandboxServer

    server = SandboxServer(seed=args.seed, speed=args.speed, pods=args.pods, nodes=args.nodes,
                           host=args.host, kube_port=args.kube_port,
                           prometheus_port=args.prometheus_port, docker_port=args.docker_port,
                           sockets=_inherited_sockets(args.listen_fds))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_with_parent:
        def on_stdin() -> None:
            if not os.read(sys.stdin.fileno(), 4096):
                loop.remove_reader(sys.stdin.fileno())
                stop.set()

        loop.add_reader(sys.stdin.fileno(), on_stdin)
    await server.start()
    with contextlib.ExitStack() as cleanup:
        if args.kubeconfig_out:
            path = Path(args.kubeconfig_out).expanduser().resolve()
        else:
            tmp = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="opsconsole-sandbox-"))
            path = Path(tmp) / "kubeconfig"
        server.write_kubeconfig(path)
        _announce({"kubernetes": server.kube_url, "prometheus": server.prometheus_url,
                   "docker": server.docker_url, "kubeconfig": str(path)}, args.json)
        try:
            await stop.wait()
        finally:
            await server.stop()


def _inherited_sockets(fds: str | None) -> dict[str, socket.socket]:
    """The listening sockets a parent passed as ``--listen-fds K,P,D``."""
    if not fds:
        return {}
    faces = ("kube", "prom_face", "docker_face")
    return {face: socket.socket(fileno=int(fd)) for face, fd in zip(faces, fds.split(","),
                                                                   strict=True)}


def listening_sockets(host: str = "127.0.0.1") -> list[socket.socket]:
    """Three listening sockets on free ports of ``host``, for ``start(...,
    sockets=...)``: the ports are held from the moment they are chosen, so nothing
    else can take one before the child serves it."""
    socks = []
    for _ in range(3):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, 0))
        sock.listen(128)
        socks.append(sock)
    return socks


def serve_forever(argv: list[str] | None = None) -> int:
    """Serve the sandbox until SIGINT/SIGTERM; returns the exit status (0)."""
    args = build_parser().parse_args(argv)
    asyncio.run(_serve(args))
    return 0


class SandboxProcess:
    """A sandbox running in a child process (see :func:`spawn`)."""

    def __init__(self, process: subprocess.Popen[str], info: dict[str, Any]) -> None:
        self.process = process
        self.kube_url: str = info["kubernetes"]
        self.prometheus_url: str | None = info.get("prometheus")
        self.docker_url: str | None = info.get("docker")
        self.kubeconfig: str = info["kubeconfig"]

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def terminate(self, timeout: float = 10.0) -> int:
        """Stop the child (SIGTERM, then SIGKILL after ``timeout`` s); returns its exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        return self.process.returncode

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.terminate()


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return process.stdout.readline()


class StartingSandbox:
    """A sandbox child process that has been started but may not be serving yet."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self._ready: SandboxProcess | None = None

    def wait_ready(self, timeout: float = 60.0) -> SandboxProcess:
        """Block until the child announces its URLs (idempotent). Raises
        ``RuntimeError`` when it exits or stays silent for ``timeout`` s."""
        if self._ready is None:
            line = _first_line(self.process, timeout)
            try:
                info = json.loads(line)
            except ValueError:
                self.process.kill()
                code = self.process.wait()
                raise RuntimeError(f"the sandbox process exited ({code}) without announcing "
                                   f"its URLs: {line!r}") from None
            self._ready = SandboxProcess(self.process, info)
        return self._ready

    def terminate(self, timeout: float = 10.0) -> int:
        """Stop the child whether or not it became ready; returns its exit code."""
        return SandboxProcess(self.process, {"kubernetes": "", "kubeconfig": ""}).terminate(timeout)


def start(
    args: list[str], *, stderr: int | None = None, sockets: Sequence[socket.socket] = ()
) -> StartingSandbox:
    """Start ``python -m console.sandbox --json *args`` without waiting for it,
    handing it ``sockets`` (from ``listening_sockets``) to serve its three faces on."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_ROOT),
                                                    env.get("PYTHONPATH")) if p)
    # The sandbox serves plain HTTP on loopback and opens no TLS connection, yet
    # importing aiohttp builds two verifying SSL contexts from the system CA
    # bundle: about 45 ms of the child's start. An empty bundle makes that free.
    env.setdefault("SSL_CERT_FILE", os.devnull)
    fds = [s.fileno() for s in sockets]
    if fds:
        args = [*args, "--listen-fds", ",".join(map(str, fds))]
    process = subprocess.Popen(
        [sys.executable, "-m", "console.sandbox", "--json", "--exit-with-parent", *args],
        stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.PIPE,
        text=True, env=env, start_new_session=True, pass_fds=fds,
    )
    return StartingSandbox(process)


def spawn(args: list[str], *, timeout: float = 60.0) -> SandboxProcess:
    """Start ``python -m console.sandbox --json *args`` and wait (up to ``timeout``
    s) for its announcement. Raises ``RuntimeError`` when the child exits or stays
    silent instead."""
    return start(args).wait_ready(timeout)
