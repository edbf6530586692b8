"""Connecting with backoff, and the health the header shows meanwhile."""

from __future__ import annotations

import random

from adapters.base import Forbidden, Unavailable
from console.health import CONNECTING, OK, BackendHealth, backoff_delay, keep_connecting


def test_backoff_doubles_up_to_the_cap_and_jitters_down_by_at_most_a_quarter() -> None:
    rng = random.Random(1)
    delays = [backoff_delay(attempt, rng, cap=30) for attempt in range(1, 9)]
    bases = [1, 2, 4, 8, 16, 30, 30, 30]
    for delay, base in zip(delays, bases, strict=True):
        assert base * 0.75 - 0.05 <= delay <= base + 0.05


async def test_keep_connecting_reports_each_failure_then_ok() -> None:
    failures = [Unavailable("refused"), Forbidden("no")]
    reports: list[BackendHealth] = []
    slept: list[float] = []

    async def connect() -> None:
        if failures:
            raise failures.pop(0)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    await keep_connecting(connect, reports.append, rng=random.Random(0), sleep=sleep)
    assert reports[0] == CONNECTING
    assert [(r.state, r.title, r.detail) for r in reports[1:3]] == [
        ("retrying", "Backend unavailable", "refused"),
        ("retrying", "Not allowed", "no"),
    ]
    assert [r.retry_in for r in reports[1:3]] == slept
    assert reports[-1] == OK


def test_the_header_word_names_the_error_while_retrying() -> None:
    assert BackendHealth.failed(Unavailable("x"), 2.0).word == "retrying: Backend unavailable"
    assert OK.word == "ok"
