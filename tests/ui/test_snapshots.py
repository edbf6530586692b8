"""Snapshots of the Deployments screen over frozen data and a frozen clock.

Update after an intended visual change with ``pytest tests/ui/test_snapshots.py
--snapshot-update`` and review ``snapshot_report.html``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import AppFactory, table, wait_for

SIZES = [(80, 24), (120, 36)]


async def rows_shown(pilot: Pilot[None]) -> None:
    await wait_for(pilot, lambda: table(pilot.app).row_count == 5)  # type: ignore[arg-type]
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_deployments_screen_snapshot(
    fake_app: AppFactory, snap_compare: Callable[..., bool], size: tuple[int, int]
) -> None:
    app, _ = fake_app(sandbox=True)
    assert snap_compare(app, terminal_size=size, run_before=rows_shown)


def test_filtered_and_read_only_snapshot(
    fake_app: AppFactory, snap_compare: Callable[..., bool]
) -> None:
    app, _ = fake_app(read_only=True)

    async def filtered(pilot: Pilot[None]) -> None:
        await rows_shown(pilot)
        await pilot.press("slash", *"inference", "enter", "down")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=(80, 24), run_before=filtered)
