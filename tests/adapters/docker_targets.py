"""The Docker engines the Docker adapter's contract tests run against.

``sandbox_docker`` is the session sandbox's Docker face. ``real_docker`` starts a
private ``dockerd`` (no iptables, no bridge, vfs storage, its own data and exec
roots and socket), which needs root and Debian's ``docker.io``; under
``OPSCONSOLE_REQUIRE_REAL=1`` its absence fails the run. On both, the session
builds the same tiny image from ``scratch`` with Debian's static busybox, so
builds in the tests can start ``FROM`` it; nothing is ever pulled.

Each engine is described by a ``DockerTarget``: its endpoint and the names of a
running container (printing to stdout and stderr) and an exited one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_real

BUSYBOX = Path("/bin/busybox")
BASE_IMAGE = "opsconsole-test/busybox:1"
BASE_DOCKERFILE = (
    "FROM scratch\n"
    "COPY busybox /bin/busybox\n"
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
    'CMD ["/bin/sh"]\n'
)
DOCKERD_START_TIMEOUT = 30.0


@dataclass(frozen=True)
class DockerTarget:
    """An engine under test and what the tests may rely on finding there."""

    kind: str
    endpoint: str
    #: A running container that writes lines to stdout and stderr every second or faster.
    running: str
    #: A container that has exited with ``exit_code``, having written ``last_words``
    #: (stream, line) among its last lines.
    exited: str
    exit_code: int
    last_words: frozenset[tuple[str, str]]
    #: An image whose only tag a container uses.
    in_use: str


def write_base_context(directory: Path) -> Path:
    """A build context for the busybox base image, in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(BUSYBOX, directory / "busybox")
    (directory / "Dockerfile").write_text(BASE_DOCKERFILE)
    return directory


def _client(endpoint: str) -> Any:
    import docker

    return docker.DockerClient(base_url=endpoint, version="auto", timeout=30)


def _build_base(endpoint: str, workdir: Path) -> None:
    client = _client(endpoint)
    try:
        client.images.build(path=str(write_base_context(workdir / "base")), tag=BASE_IMAGE, rm=True)
    finally:
        client.close()


@pytest.fixture(scope="session")
def sandbox_docker(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> DockerTarget:
    """The session sandbox's Docker face, with the busybox base image built on it."""
    if sandbox.docker_url is None:
        pytest.fail("the sandbox does not serve its Docker face")
    _build_base(sandbox.docker_url, tmp_path_factory.mktemp("sandbox-docker"))
    return DockerTarget(
        kind="sandbox",
        endpoint=sandbox.docker_url,
        running="llm-bench",
        exited="tokenizer-smoke",
        exit_code=1,
        last_words=frozenset(
            {
                ("stdout", "vocab size: 128256"),
                (
                    "stderr",
                    "AssertionError: round-trip mismatch on sample 1377: '\\xa0café' != ' café'",
                ),
            }
        ),
        in_use="registry.acme.ai/bench/llm-bench:0.3.1",
    )


def _dockerd_problem() -> str:
    """Why a private dockerd cannot run here, or "" when it can."""
    if shutil.which("dockerd") is None:
        return "the dockerd binary is not installed (Debian package docker.io)"
    if os.geteuid() != 0:
        return "dockerd needs root"
    if not BUSYBOX.is_file():
        return f"{BUSYBOX} is missing (Debian package busybox-static)"
    return ""


def _wait_for_ping(endpoint: str, process: subprocess.Popen[bytes], log: Path) -> str:
    """ "" once the daemon answers, else why it did not."""
    import docker

    deadline = time.monotonic() + DOCKERD_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"dockerd exited with {process.returncode}: {log.read_text()[-2000:]}"
        try:
            docker.APIClient(base_url=endpoint, timeout=2).ping()
            return ""
        except Exception:
            time.sleep(0.2)
    return f"dockerd did not answer within {DOCKERD_START_TIMEOUT}s: {log.read_text()[-2000:]}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def real_docker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerTarget]:
    """A private dockerd with the busybox base image, a ticking container and an
    exited one (both with ``--network none`` and an init process)."""
    problem = _dockerd_problem()
    require_real("dockerd", not problem, problem)
    data = tmp_path_factory.mktemp("dockerd")
    # containerd's socket lives under the exec root and must stay short (< ~100 chars).
    exec_root = Path(tempfile.mkdtemp(prefix="ocd-", dir="/tmp"))
    endpoint = f"unix://{data}/docker.sock"
    log = data / "dockerd.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                "dockerd",
                "--iptables=false",
                "--ip6tables=false",
                "--bridge=none",
                "--storage-driver=vfs",
                "--data-root",
                str(data / "root"),
                "--exec-root",
                str(exec_root),
                "--pidfile",
                str(data / "dockerd.pid"),
                "-H",
                endpoint,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        problem = _wait_for_ping(endpoint, process, log)
        require_real("dockerd", not problem, problem)
        _build_base(endpoint, data)
        client = _client(endpoint)
        ticker = "i=0; while true; do echo tick $i; echo warn $i >&2; i=$((i+1)); sleep 0.2; done"
        client.containers.run(
            BASE_IMAGE,
            ["sh", "-c", ticker],
            name="ticker",
            detach=True,
            network_mode="none",
            init=True,
        )
        quitter = client.containers.run(
            BASE_IMAGE,
            ["sh", "-c", "echo bye; echo oops >&2; exit 3"],
            name="quitter",
            detach=True,
            network_mode="none",
        )
        quitter.wait(timeout=30)
        client.close()
        time.sleep(1.0)  # the ticker has written a few lines on both streams
        yield DockerTarget(
            kind="real",
            endpoint=endpoint,
            running="ticker",
            exited="quitter",
            exit_code=3,
            last_words=frozenset({("stdout", "bye"), ("stderr", "oops")}),
            in_use=BASE_IMAGE,
        )
    finally:
        _stop(process)
        shutil.rmtree(exec_root, ignore_errors=True)
        shutil.rmtree(data / "root", ignore_errors=True)


@pytest.fixture(params=["sandbox", "real"])
def docker_target(request: pytest.FixtureRequest) -> DockerTarget:
    """Each engine in turn: the sandbox's face, then a real dockerd."""
    target: DockerTarget = request.getfixturevalue(f"{request.param}_docker")
    return target
