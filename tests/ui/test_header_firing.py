"""The header says what is firing, from any area, in the room it has."""

from __future__ import annotations

from pathlib import Path

from console.sandbox.server import ThreadedSandbox
from tests.ui.conftest import screen_text, wait_for
from tests.ui.metrics_support import closed_port_url, sandbox_app


def header(app: object) -> str:
    return screen_text(app).splitlines()[0]  # type: ignore[arg-type]


async def test_the_firing_alerts_are_counted_in_the_header_shortened_at_80_columns(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        # The sandbox's bad rollout fires one critical alert, among warnings.
        await wait_for(pilot, lambda: "▲ 1 critical" in header(app), timeout=15)
        await wait_for(pilot, lambda: "k8s ● ok" in header(app), timeout=10)
        assert " warning" in header(app)
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: "▲ 1 crit " in header(app))
        assert "prom ● ok" in header(app)
        await pilot.press("4")  # every area's header says it
        await wait_for(pilot, lambda: "NAME" in screen_text(app) and "▲ 1 crit" in header(app))


async def test_read_only_at_80_columns_keeps_every_word_that_matters(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    app = sandbox_app(sandbox, tmp_path, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "▲ 1 crit" in header(app), timeout=15)
        await wait_for(pilot, lambda: "k8s ●" in header(app) and "connecting" not in header(app))
        line = header(app)
        assert "READ-ONLY" in line and "all namespaces" in line
        assert line.rstrip().endswith("prom ● docker ○")  # ok: a dot, off: a hollow one
        assert len(line.rstrip()) <= 80


async def test_no_prometheus_answer_no_count(sandbox: ThreadedSandbox, tmp_path: Path) -> None:
    app = sandbox_app(sandbox, tmp_path, prometheus_url=closed_port_url())
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: "prom ● retrying" in header(app), timeout=10)
        assert "▲" not in header(app)
