"""The Builds area over the sandbox's Docker face: the form, live builds, failures, push."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from console.audit import read_records
from screens.build_form import BuildFormScreen
from screens.build_run import BuildRunScreen
from screens.docker_confirm import DockerConfirmScreen
from screens.push import PushScreen
from screens.widgets.resource_table import ResourceTable
from tests.ui.builds_support import history, make_app, open_builds, write_context
from tests.ui.conftest import screen_text, wait_for


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))


async def fill_form(pilot, form: BuildFormScreen, **values: str) -> None:  # type: ignore[no-untyped-def]
    for name, value in values.items():
        form.query_one(f"#{name}", Input).value = value
    await pilot.pause()


async def test_a_build_streams_its_steps_and_is_kept_in_the_history(
    sandbox,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    context = write_context(
        tmp_path / "ctx", 'FROM python:3.11-slim\nRUN echo "compiling kernels"\nCMD ["python3"]\n'
    )
    app = make_app(tmp_path, sandbox.docker_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_builds(app, pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, BuildFormScreen))
        await fill_form(
            pilot, app.screen, context=str(context), tags="registry.sandbox.local/team/kern:1"
        )  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DockerConfirmScreen))
        assert "docker build -t registry.sandbox.local/team/kern:1" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, BuildRunScreen))
        run = app.screen
        assert isinstance(run, BuildRunScreen)
        await wait_for(pilot, lambda: run.progress.done, timeout=15)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "1/3 FROM python:3.11-slim" in text and '3/3 CMD ["python3"]' in text
        assert run.progress.result == "succeeded"
        assert "built " in text
        await pilot.press("escape")
    records = history(tmp_path).load()
    assert [(r.tags, r.result) for r in records] == [
        (("registry.sandbox.local/team/kern:1",), "succeeded")
    ]
    audit = read_records(tmp_path / "audit.jsonl")
    assert [(r.action, r.phase, r.result) for r in audit] == [
        ("build", "intent", None),
        ("build", "outcome", "ok"),
    ]


async def test_a_failing_run_jumps_to_the_failing_step_with_the_daemon_s_error(
    sandbox,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    context = write_context(
        tmp_path / "ctx", "FROM python:3.11-slim\nRUN echo fetching && exit 3\nRUN echo never\n"
    )
    app = make_app(tmp_path, sandbox.docker_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_builds(app, pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, BuildFormScreen))
        await fill_form(pilot, app.screen, context=str(context))  # type: ignore[arg-type]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DockerConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, BuildRunScreen))
        run = app.screen
        assert isinstance(run, BuildRunScreen)
        await wait_for(pilot, lambda: run.progress.done, timeout=15)
        await pilot.pause(0.3)
        assert run.steps.cursor_key == "2"
        assert list(run.output.lines)[-1] == "fetching"
        assert "failed at step 2/3 RUN echo fetching && exit 3" in screen_text(app)
        error = str(run.query_one("#error").render())
        assert error == (
            "Daemon error: The command '/bin/sh -c echo fetching && exit 3' returned a "
            "non-zero code: 3"
        )
    (record,) = history(tmp_path).load()
    assert record.result == "failed" and record.failed_step == "2/3 RUN echo fetching && exit 3"


async def test_bad_form_input_shows_each_precise_message_and_runs_nothing(
    sandbox,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    app = make_app(tmp_path, sandbox.docker_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_builds(app, pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, BuildFormScreen))
        form = app.screen
        await fill_form(
            pilot,
            form,
            context=str(tmp_path / "missing"),
            tags="team/App:1",  # type: ignore[arg-type]
            build_args="CUDA",
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BuildFormScreen)
        shown = {w.id: str(w.render()) for w in form.query(".problem.-shown")}
        assert shown == {
            "context-problem": f"the context directory {tmp_path / 'missing'} does not exist",
            "tags-problem": (
                "tag 'team/App:1': repository names must be lowercase: 'team/App' (use 'team/app')"
            ),
            "build_args-problem": "build arg 'CUDA' has no '=': write it as CUDA=value",
        }
        await pilot.press("escape")
    assert read_records(tmp_path / "audit.jsonl") == []
    assert history(tmp_path).load() == []


async def test_a_push_to_an_unknown_registry_is_explained(
    sandbox,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    app = make_app(tmp_path, sandbox.docker_url)
    adapter = app.backends.containers
    assert adapter is not None
    async with app.run_test(size=(80, 24)) as pilot:
        await open_builds(app, pilot)
        await adapter.tag_image("python:3.11-slim", "registry.nowhere.example/team/py:1")
        push = PushScreen("registry.nowhere.example/team/py:1")
        await app.push_screen(push)
        await wait_for(pilot, lambda: isinstance(app.screen, DockerConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: push.progress.done, timeout=10)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "the registry host registry.nowhere.example does not resolve" in text
        assert "no such host" in text
    audit = read_records(tmp_path / "audit.jsonl")
    assert [(r.action, r.result) for r in audit] == [("push", None), ("push", "error")]


async def test_the_history_table_shows_past_builds_after_a_restart(
    sandbox,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from tests.unit.test_build_history import record

    history(tmp_path).append(record(1, result="failed", failed_step="2/4 RUN make", error="exit 2"))
    app = make_app(tmp_path, sandbox.docker_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_builds(app, pilot)
        table = screen.query_one("#history", ResourceTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert "2/4 RUN make" in screen_text(app)
