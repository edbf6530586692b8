"""Shared fixtures: the sandbox served on loopback, and the rule for real backends.

A test that needs a real backend (dockerd, prometheus, kubectl) calls
``require_real(name, available, why)``: where the backend is missing it skips on a
developer's machine, and fails under ``OPSCONSOLE_REQUIRE_REAL=1`` (CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from console.sandbox.server import ThreadedSandbox

REQUIRE_REAL = os.environ.get("OPSCONSOLE_REQUIRE_REAL") == "1"


def require_real(name: str, available: bool, why: str) -> None:
    """Skip (or, in CI, fail) when the real backend ``name`` is not available."""
    if available:
        return
    if REQUIRE_REAL:
        pytest.fail(f"{name} is required under OPSCONSOLE_REQUIRE_REAL=1 but {why}")
    pytest.skip(f"{name} not available: {why}")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[ThreadedSandbox]:
    """One default sandbox (seed 7) served in its own thread for the whole session.

    Tests that mutate it must use objects they create, or the ``fresh_sandbox``
    fixture, so that they stay independent of each other.
    """
    from console.sandbox.server import ThreadedSandbox

    with ThreadedSandbox(seed=7, speed=4.0) as sb:
        yield sb


@pytest.fixture
def fresh_sandbox() -> Iterator[ThreadedSandbox]:
    """A sandbox of its own for a test that changes the world."""
    from console.sandbox.server import ThreadedSandbox

    with ThreadedSandbox(seed=7, speed=4.0) as sb:
        yield sb
