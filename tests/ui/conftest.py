"""Fixtures for driving the console with the pilot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from console.app import Backends, OpsConsoleApp, build_app
from console.config import Config
from screens.widgets.resource_table import ResourceTable
from tests.ui.fakes import NOW, FakeCluster, sample_world

AppFactory = Callable[..., tuple[OpsConsoleApp, FakeCluster]]


@pytest.fixture
def fake_app() -> AppFactory:
    """Build the console over a ``FakeCluster`` of ``sample_world()`` with the clock
    frozen at ``NOW``; keyword arguments go to ``build_app``."""

    def make(*, sandbox: bool = False, config: Config | None = None, **kwargs: object):
        cluster = FakeCluster(sample_world(), context="sandbox" if sandbox else "fake")
        kwargs.setdefault("clock", lambda: NOW)
        app = build_app(config or Config(), Backends(cluster, sandbox=sandbox), **kwargs)
        return app, cluster

    return make


def table(app: OpsConsoleApp) -> ResourceTable:  # type: ignore[type-arg]
    """The Deployments table of the app's current screen."""
    return app.screen.query_one("#deployments", ResourceTable)


def screen_text(app: OpsConsoleApp) -> str:
    """What the terminal shows, as plain text, one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until ``condition()`` holds; fail the test after ``timeout`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        await pilot.pause(0.02)
