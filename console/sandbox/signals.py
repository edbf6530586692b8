"""Deterministic signals the sandbox's series are made of.

Every generated series is a closed-form function of simulated time, seeded by the
world's seed and the series' identity: a gauge is a base value times a ``Wave``;
a counter is a rate times the wave's integral. So the PromQL face (which samples
on a fixed grid) and ``/metrics`` (read whenever a real Prometheus scrapes) agree
exactly, history for any past time costs nothing to keep, and an idle sandbox
does no work.
"""

from __future__ import annotations

import hashlib
import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from console.sandbox.promql import Labels

#: Seconds between the samples the PromQL face sees (Prometheus's default scrape).
SCRAPE_INTERVAL = 15.0
#: How far back series are kept and backfilled.
RETENTION = 24 * 3600.0

_DAY = 86_400.0


def unit_random(seed: int, *key: object) -> float:
    """A number in [0, 1) fixed by ``seed`` and ``key`` (stable across processes,
    unlike ``hash``)."""
    digest = hashlib.blake2b(repr((seed, *key)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(frozen=True, slots=True)
class Wave:
    """``1 + Σ aᵢ·sin(2πt/pᵢ + φᵢ)``: a daily swing plus two slower wobbles, never
    below 0.4. ``integral(t)`` is its exact antiderivative."""

    terms: tuple[tuple[float, float, float], ...]  # (amplitude, period, phase)

    @classmethod
    def seeded(cls, seed: int, *key: object, daily: float = 0.25, wobble: float = 0.06) -> Wave:
        """A wave whose phases and periods are fixed by ``seed`` and ``key``."""

        def r(i: int) -> float:
            return unit_random(seed, *key, i)

        return cls((
            (daily, _DAY, 2 * math.pi * r(0)),
            (wobble, 1200.0 + 1800.0 * r(1), 2 * math.pi * r(2)),
            (wobble * 0.6, 420.0 + 300.0 * r(3), 2 * math.pi * r(4)),
        ))

    def value(self, t: float) -> float:
        """The wave at ``t``."""
        return 1.0 + sum(a * math.sin(2 * math.pi * t / p + ph) for a, p, ph in self.terms)

    def integral(self, t: float) -> float:
        """The integral of ``value`` from 0 to ``t``: ``rate * (integral(t) - integral(t0))``
        is a counter."""
        return t - sum(
            a * p / (2 * math.pi) * (math.cos(2 * math.pi * t / p + ph) - math.cos(ph))
            for a, p, ph in self.terms
        )


class SeriesGroup(ABC):
    """Series that begin and end together and are computed together (all the
    series of one pod's traffic, one GPU, one kube-state object field).

    ``labels[i]`` names series ``i`` (``__name__`` included); ``start`` is when the
    first sample exists, ``end`` when the series vanished (a staleness marker) or
    None while they live.
    """

    labels: Sequence[Labels]
    start: float
    end: float | None = None

    @abstractmethod
    def values(self, t: float) -> Sequence[float]:
        """The value of every series at ``t`` (``start`` <= t, before ``end``)."""

    def grid(self, start: float, end: float) -> list[float]:
        """The scrape-grid times in [start, end] at which this group has samples."""
        lo = max(start, self.start)
        hi = end if self.end is None else min(end, self.end - 1e-9)
        first = math.ceil(lo / SCRAPE_INTERVAL)
        last = math.floor(hi / SCRAPE_INTERVAL)
        return [k * SCRAPE_INTERVAL for k in range(first, last + 1)]


def normal_cdf(x: float) -> float:
    """The standard normal distribution function."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))
