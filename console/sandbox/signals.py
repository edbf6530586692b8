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
        return self.values((t,))[0]

    def values(self, times: Sequence[float]) -> list[float]:
        """The wave at each of ``times``."""
        two_pi = 2 * math.pi
        sums = [0.0] * len(times)
        for a, p, ph in self.terms:
            sums = [s + a * math.sin(two_pi * t / p + ph) for s, t in zip(sums, times, strict=True)]
        return [1.0 + s for s in sums]

    def integral(self, t: float) -> float:
        """The integral of ``value`` from 0 to ``t``: ``rate * (integral(t) - integral(t0))``
        is a counter."""
        return self.integrals((t,))[0]

    def integrals(self, times: Sequence[float]) -> list[float]:
        """``integral`` at each of ``times``."""
        two_pi = 2 * math.pi
        sums = [0.0] * len(times)
        for a, p, ph in self.terms:
            scale, at_zero = a * p / two_pi, math.cos(ph)
            sums = [s + scale * (math.cos(two_pi * t / p + ph) - at_zero)
                    for s, t in zip(sums, times, strict=True)]
        return [t - s for s, t in zip(sums, times, strict=True)]


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
