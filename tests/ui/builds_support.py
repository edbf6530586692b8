"""Helpers of the Builds area's UI tests: the console over the sandbox's Docker face."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot

from adapters.docker import DockerAdapter
from console.app import Backends, OpsConsoleApp, build_app
from console.build_history import BuildHistory
from console.config import AuditConfig, Config
from screens.builds import BuildsScreen
from tests.ui.conftest import wait_for
from tests.ui.fakes import NOW, FakeCluster, deployment

#: An image of the sandbox's Docker engine, and the deployment the fake cluster runs it in.
SERVED = "registry.acme.ai/serving/mistral-7b-chat:v0.9.1-rc2"

Make = Callable[..., OpsConsoleApp]


def make_app(tmp_path: Path, docker_url: str, *, read_only: bool = False) -> OpsConsoleApp:
    """The console over a fake cluster (one deployment running ``SERVED``) and the
    Docker endpoint ``docker_url``, auditing to ``tmp_path/audit.jsonl``."""
    cluster = FakeCluster([
        deployment("serving", "mistral-chat", age=timedelta(days=2), images=(SERVED, "envoy:1.30")),
        deployment("serving", "other", age=timedelta(days=2)),
    ])  # fmt: skip
    backends = Backends(cluster, containers=DockerAdapter(docker_url, timeout=5.0))
    config = Config(audit=AuditConfig(path=tmp_path / "audit.jsonl"))
    return build_app(config, backends, clock=lambda: NOW, read_only=read_only)


async def open_builds(
    app: OpsConsoleApp, pilot: Pilot[None], *, ready: bool = True
) -> BuildsScreen:
    """Switch to the Builds area (and wait for Docker to answer when ``ready``)."""
    await pilot.press("5")
    await wait_for(pilot, lambda: isinstance(app.screen, BuildsScreen))
    if ready:
        await wait_for(pilot, lambda: app.docker_health.state == "ok")
    assert isinstance(app.screen, BuildsScreen)
    return app.screen


def history(tmp_path: Path) -> BuildHistory:
    """The history file the area uses when ``XDG_DATA_HOME`` is ``tmp_path``."""
    return BuildHistory(tmp_path / "opsconsole" / "builds.jsonl")


def write_context(directory: Path, dockerfile: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Dockerfile").write_text(dockerfile)
    return directory
