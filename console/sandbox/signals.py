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
from functools import cached_property

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


#: One term of a ``Wave``: (amplitude, period, phase).
Term = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Wave:
    """``1 + Σ aᵢ·sin(2πt/pᵢ + φᵢ)`` over three terms: a daily swing plus two
    slower wobbles, never below 0.4. ``integral(t)`` is its exact antiderivative."""

    terms: tuple[Term, Term, Term]

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
        return self.values((t,))[0]

    def values(self, times: Sequence[float]) -> list[float]:
        """The wave at each of ``times``."""
        two_pi, sin = 2 * math.pi, math.sin
        (a0, p0, f0), (a1, p1, f1), (a2, p2, f2) = self.terms
        return [1.0 + (a0 * sin(two_pi * t / p0 + f0) + a1 * sin(two_pi * t / p1 + f1)
                       + a2 * sin(two_pi * t / p2 + f2)) for t in times]

    def integral(self, t: float) -> float:
        """The integral of ``value`` from 0 to ``t``: ``rate * (integral(t) - integral(t0))``
        is a counter."""
        return self.integrals((t,))[0]

    def integrals(self, times: Sequence[float]) -> list[float]:
        """``integral`` at each of ``times``."""
        two_pi, cos = 2 * math.pi, math.cos
        (a0, p0, f0), (a1, p1, f1), (a2, p2, f2) = self.terms
        k0, k1, k2 = a0 * p0 / two_pi, a1 * p1 / two_pi, a2 * p2 / two_pi
        c0, c1, c2 = cos(f0), cos(f1), cos(f2)
        return [t - (k0 * (cos(two_pi * t / p0 + f0) - c0) + k1 * (cos(two_pi * t / p1 + f1) - c1)
                     + k2 * (cos(two_pi * t / p2 + f2) - c2)) for t in times]


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
    def columns(self, wanted: Sequence[int], times: Sequence[float]) -> list[list[float]]:
        """The values of the series ``wanted`` (indices into ``labels``) at each of
        ``times`` (``start`` <= t, before ``end``): one list per wanted series."""

    def values(self, t: float) -> list[float]:
        """The value of every series at ``t`` (``start`` <= t, before ``end``)."""
        return [column[0] for column in self.columns(range(len(self.labels)), (t,))]

    @cached_property
    def by_name(self) -> dict[str, list[int]]:
        """The indices of this group's series, by metric name."""
        out: dict[str, list[int]] = {}
        for i, labels in enumerate(self.labels):
            out.setdefault(dict(labels).get("__name__", ""), []).append(i)
        return out

    def grid(
        self, start: float, end: float, newest_at: Sequence[float] | None = None
    ) -> list[float]:
        """The scrape-grid times in [start, end] at which this group has samples;
        with ``newest_at`` (ascending times), only the newest of them at or before
        each of those times."""
        lo = max(start, self.start)
        hi = end if self.end is None else min(end, self.end - 1e-9)
        first = math.ceil(lo / SCRAPE_INTERVAL)
        last = math.floor(hi / SCRAPE_INTERVAL)
        if newest_at is None:
            return [k * SCRAPE_INTERVAL for k in range(first, last + 1)]
        picked: list[int] = []
        for t in newest_at:
            k = min(last, math.floor(t / SCRAPE_INTERVAL))
            if k * SCRAPE_INTERVAL > t:
                k -= 1
            if k >= first and (not picked or picked[-1] != k):
                picked.append(k)
        return [k * SCRAPE_INTERVAL for k in picked]


def normal_cdf(x: float) -> float:
    """The standard normal distribution function."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))
