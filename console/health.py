"""Backend health as the header shows it, and the connect-and-retry loop behind it.

No Textual here: the app runs ``keep_connecting`` in a worker and mirrors each
``BackendHealth`` it reports into a reactive the header watches.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from adapters.base import AdapterError

HealthState = Literal["off", "connecting", "ok", "retrying"]


@dataclass(frozen=True, slots=True)
class BackendHealth:
    """One backend's health: ``off`` (not configured), ``connecting``, ``ok`` or
    ``retrying`` (with the error's ``title`` and ``detail`` and the seconds until the
    next attempt)."""

    state: HealthState
    title: str = ""
    detail: str = ""
    retry_in: float | None = None

    @classmethod
    def failed(cls, error: AdapterError, retry_in: float | None) -> BackendHealth:
        """A ``retrying`` health carrying ``error``'s title and detail."""
        return cls("retrying", error.title, error.detail, retry_in)

    @property
    def word(self) -> str:
        """The one or few words the header prints after the dot."""
        if self.state == "retrying" and self.title:
            return f"retrying: {self.title}"
        return self.state


OFF = BackendHealth("off")
CONNECTING = BackendHealth("connecting")
OK = BackendHealth("ok")


def backoff_delay(attempt: int, rng: random.Random, cap: float = 30.0) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based): 1, 2, 4, … up to
    ``cap``, jittered down by at most a quarter so many consoles don't retry in step."""
    base = min(cap, 2.0 ** min(attempt - 1, 10))
    return round(base * (0.75 + rng.random() / 4), 1)


async def keep_connecting(
    connect: Callable[[], Awaitable[None]],
    report: Callable[[BackendHealth], None],
    *,
    rng: random.Random | None = None,
    cap: float = 30.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Call ``connect`` until it succeeds, reporting ``CONNECTING`` first, then after
    each ``AdapterError`` a ``retrying`` health with the delay before the next try,
    and ``OK`` once connected. Returns when connected; other exceptions propagate."""
    rng = rng or random.Random()
    report(CONNECTING)
    attempt = 0
    while True:
        try:
            await connect()
        except AdapterError as exc:
            attempt += 1
            delay = backoff_delay(attempt, rng, cap)
            report(BackendHealth.failed(exc, delay))
            await sleep(delay)
        else:
            report(OK)
            return
