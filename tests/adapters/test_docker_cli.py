"""The real ``docker`` CLI against the sandbox's Docker face.

The CLI is the reference client: if it prints what it prints for a real daemon,
the face speaks the Engine API well enough. Commands run without a shell, with
a private ``DOCKER_CONFIG`` so no user configuration or credentials are read.
"""

# The engines' fixtures are imported from docker_targets and requested by name.
# ruff: noqa: F811

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.adapters.docker_targets import (  # noqa: F401
    BASE_IMAGE,
    DockerTarget,
    sandbox_docker,
    write_base_context,
)
from tests.conftest import require_real

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(sandbox_docker: DockerTarget, tmp_path: Path) -> Cli:
    binary = shutil.which("docker")
    require_real("docker CLI", binary is not None, "the docker binary is not installed")
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path / "docker-config"), "DOCKER_BUILDKIT": "0"}
    env.pop("DOCKER_HOST", None)

    def run(
        *args: str, cwd: Path | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(binary), "-H", sandbox_docker.endpoint, *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            cwd=cwd,
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    return run


def test_docker_version_shows_the_face_as_the_server(cli: Cli) -> None:
    out = cli("version").stdout
    assert "Server: Docker Engine - Community" in out
    assert "API version:      1.47" in out


def test_docker_images_lists_the_workload_images(cli: Cli) -> None:
    rows = cli("images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}").stdout.splitlines()
    assert any(row.startswith("vllm/vllm-openai:v0.6.3 ") and row.endswith("GB") for row in rows)
    assert any(row.startswith(f"{BASE_IMAGE} ") for row in rows)


def test_docker_ps_all_shows_running_and_exited_containers(cli: Cli) -> None:
    rows = cli("ps", "-a", "--format", "{{.Names}}|{{.Status}}").stdout.splitlines()
    status = dict(row.split("|", 1) for row in rows)
    assert status["llm-bench"].startswith("Up ")
    assert status["tokenizer-smoke"].startswith("Exited (1) ")


def test_docker_logs_splits_stdout_from_stderr(cli: Cli) -> None:
    result = cli("logs", "--tail", "30", "llm-bench")
    assert "sent=" in result.stdout and "sent=" not in result.stderr
    assert "upstream timed out" in result.stderr and "upstream timed out" not in result.stdout


def test_docker_history_shows_the_layers_of_a_pulled_image(cli: Cli) -> None:
    rows = cli(
        "history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}", "vllm/vllm-openai:v0.6.3"
    ).stdout.splitlines()
    assert rows[0].startswith("sha256:") and "ENTRYPOINT" in rows[0]
    assert all(row.startswith("<missing>|") for row in rows[1:])
    assert any("pip install vllm==0.6.3" in row for row in rows)


def test_docker_build_of_a_small_context_streams_steps_and_tags(cli: Cli, tmp_path: Path) -> None:
    context = write_base_context(tmp_path / "ctx")
    (context / "Dockerfile").write_text(
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN echo installed\nCMD ["/bin/busybox"]\n'
    )
    tag = f"opsconsole-test/cli-built:{uuid.uuid4().hex[:8]}"
    out = cli("build", "-t", tag, ".", cwd=context).stdout
    assert "Step 1/4 : FROM scratch" in out
    assert "Step 3/4 : RUN echo installed\n ---> Running in " in out
    assert "\ninstalled\n" in out
    assert f"Successfully tagged {tag}" in out
    assert tag in cli("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.splitlines()


def test_a_failing_docker_build_exits_non_zero_with_the_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE_IMAGE}\nRUN false\n")
    result = cli("build", ".", cwd=tmp_path, check=False)
    assert result.returncode != 0
    assert "The command '/bin/sh -c false' returned a non-zero code: 1" in result.stderr
