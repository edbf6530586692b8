"""Images, containers and a missing daemon in the Builds area, over the sandbox's Docker face."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from console.audit import read_records
from screens.builds import BuildsScreen
from screens.container_logs import ContainerLogsScreen
from screens.docker_confirm import DockerConfirmScreen
from screens.image_history import ImageHistoryScreen
from screens.image_usage import ImageUsageScreen
from screens.widgets.resource_table import ResourceTable
from tests.ui.builds_support import SERVED, make_app, open_builds
from tests.ui.conftest import screen_text, wait_for


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_images_list_their_tags_and_one_image_s_layers(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, sandbox.docker_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_builds(app, pilot)
        await pilot.press("I")
        table = screen.query_one("#images", ResourceTable)
        await wait_for(pilot, lambda: SERVED in table.row_keys)
        assert table.cell_texts("python:3.11-slim")[:2] == ("python", "3.11-slim")
        table.move_cursor(SERVED)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ImageHistoryScreen))
        layers = app.screen.query_one("#layers", ResourceTable)
        await wait_for(pilot, lambda: layers.row_count > 2)
        assert "CREATED BY" in screen_text(app)


async def test_where_does_this_run_lists_the_deployments_using_the_image(
    sandbox,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    app = make_app(tmp_path, sandbox.docker_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_builds(app, pilot)
        await pilot.press("I")
        table = screen.query_one("#images", ResourceTable)
        await wait_for(pilot, lambda: SERVED in table.row_keys)
        table.move_cursor(SERVED)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, ImageUsageScreen))
        uses = app.screen.query_one("#uses", ResourceTable)
        await wait_for(pilot, lambda: uses.row_count == 1)
        assert "serving/mistral-chat" in screen_text(app)


async def test_removing_an_image_is_confirmed_and_audited(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, sandbox.docker_url)
    adapter = app.backends.containers
    assert adapter is not None
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_builds(app, pilot)
        await adapter.tag_image("python:3.11-slim", "scratchpad/doomed:1")
        await pilot.press("I")
        table = screen.query_one("#images", ResourceTable)
        await wait_for(pilot, lambda: "scratchpad/doomed:1" in table.row_keys)
        table.move_cursor("scratchpad/doomed:1")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DockerConfirmScreen))
        assert "$ docker rmi scratchpad/doomed:1" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: "scratchpad/doomed:1" not in table.row_keys)
    audit = read_records(tmp_path / "audit.jsonl")
    assert [(r.action, r.name, r.result) for r in audit] == [
        ("remove_image", "scratchpad/doomed:1", None), ("remove_image", "scratchpad/doomed:1", "ok")
    ]  # fmt: skip


async def test_containers_show_state_stats_and_logs(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, sandbox.docker_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_builds(app, pilot)
        await pilot.press("C")
        table = screen.query_one("#containers", ResourceTable)
        await wait_for(pilot, lambda: table.row_count >= 3)
        names = {table.row(k).container.name: k for k in table.row_keys}  # type: ignore[union-attr]
        bench = names["llm-bench"]
        await wait_for(pilot, lambda: "%" in table.cell_texts(bench)[3], timeout=8)
        assert table.cell_texts(names["tokenizer-smoke"])[2] == "exited"
        table.move_cursor(bench)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ContainerLogsScreen))
        logs = app.screen
        assert isinstance(logs, ContainerLogsScreen)
        await wait_for(pilot, lambda: len(logs.buffer.lines) > 0, timeout=8)
        assert {line.pod for line in logs.buffer.lines} <= {"stdout", "stderr"}


async def test_stopping_a_container_is_confirmed_and_audited(
    fresh_sandbox,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    app = make_app(tmp_path, fresh_sandbox.docker_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_builds(app, pilot)
        await pilot.press("C")
        table = screen.query_one("#containers", ResourceTable)
        await wait_for(pilot, lambda: table.row_count >= 3)
        key = next(k for k in table.row_keys if table.row(k).container.name == "vllm-dev")  # type: ignore[union-attr]
        table.move_cursor(key)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, DockerConfirmScreen))
        assert "$ docker stop vllm-dev" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: table.row(key).container.state == "exited", timeout=8)  # type: ignore[union-attr]
    audit = read_records(tmp_path / "audit.jsonl")
    assert [(r.action, r.kind, r.result) for r in audit][-1] == ("stop", "Container", "ok")


async def test_a_read_only_console_refuses_to_stop_a_container(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, sandbox.docker_url, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_builds(app, pilot)
        await pilot.press("C")
        table = screen.query_one("#containers", ResourceTable)
        await wait_for(pilot, lambda: table.row_count >= 3)
        # The mutating keys are shown disabled, the others stay live.
        bindings = app.screen.active_bindings
        assert [bindings[k].enabled for k in ("s", "t", "R", "enter")] == [False] * 3 + [True]
        await pilot.press("t")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, DockerConfirmScreen)
        assert any("read-only" in n.message for n in app._notifications)
    assert read_records(tmp_path / "audit.jsonl") == []


async def test_read_only_shows_build_push_and_remove_disabled(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, sandbox.docker_url, read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_builds(app, pilot)
        assert not app.screen.active_bindings["n"].enabled  # new build
        await pilot.press("n")
        await pilot.pause(0.2)
        assert screen is app.screen  # no build form opened
        assert any("read-only" in n.message for n in app._notifications)
        await pilot.press("I")
        table = screen.query_one("#images", ResourceTable)
        await wait_for(pilot, lambda: table.row_count >= 1)
        bindings = app.screen.active_bindings
        assert [bindings[k].enabled for k in ("p", "d", "w", "r")] == [False, False, True, True]
    assert read_records(tmp_path / "audit.jsonl") == []


async def test_docker_down_degrades_only_the_builds_area(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"tcp://127.0.0.1:{closed_port()}")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_builds(app, pilot, ready=False)
        await wait_for(pilot, lambda: app.docker_health.state == "retrying")
        await pilot.pause(0.1)
        message = str(screen.query_one("#docker-message").render())
        assert message.startswith("Docker unreachable: cannot reach Docker at tcp://127.0.0.1:")
        assert "Connection refused" in message
        assert screen.has_class("-docker-down")
        await pilot.press("1")
        await wait_for(pilot, lambda: not isinstance(app.screen, BuildsScreen))
        await wait_for(
            pilot, lambda: "llama-70b" not in screen_text(app) and "other" in screen_text(app)
        )
