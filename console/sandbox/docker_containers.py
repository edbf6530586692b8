"""The sandbox Docker engine's local containers: state, logs and stats over time.

A container is a list of runs (start, end); its state, its log lines and its
CPU and memory counters are computed from them and the clock when asked, so an
idle engine does no work. Each container keeps at most ``MAX_LINES`` log lines,
as a rotated ``json-file`` log would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from console.sandbox.docker_format import EngineError, digest, human_duration, rfc3339
from console.sandbox.docker_logscripts import LogScript, Timed

MAX_LINES = 5000
#: The simulated host: CPUs and memory ``docker info`` and ``docker stats`` report.
HOST_CPUS = 32
HOST_MEMORY = 503 * 1024**3


@dataclass(slots=True)
class Run:
    """One start of a container; ``end`` None while it runs."""

    start: float
    end: float | None
    exit_code: int = 0
    stopped: bool = False


@dataclass(slots=True)
class SimContainer:
    """A container and its history of runs."""

    id: str
    name: str
    image: str
    image_id: str
    command: tuple[str, ...]
    created: float
    script: LogScript
    ports: tuple[int, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)

    def running(self, now: float) -> bool:
        last = self.runs[-1] if self.runs else None
        return last is not None and (last.end is None or last.end > now)

    def state(self, now: float) -> str:
        """``created``, ``running`` or ``exited``."""
        if not self.runs:
            return "created"
        return "running" if self.running(now) else "exited"

    def status(self, now: float) -> str:
        """The STATUS column of ``docker ps``: "Up 2 hours", "Exited (1) 3 hours ago"."""
        if not self.runs:
            return "Created"
        last = self.runs[-1]
        if self.running(now):
            return f"Up {human_duration(now - last.start)}"
        assert last.end is not None
        return f"Exited ({last.exit_code}) {human_duration(now - last.end)} ago"

    # ------------------------------------------------------------------ actions

    def start(self, now: float) -> bool:
        """Start the container; False when it already runs."""
        if self.running(now):
            return False
        runs_for = self.script.runs_for
        end = None if runs_for is None else now + runs_for
        self.runs.append(Run(now, end, self.script.exit_code if end else 0))
        return True

    def stop(self, now: float) -> bool:
        """Stop the container (it exits 0 on SIGTERM); False when it is not running."""
        if not self.running(now):
            return False
        last = self.runs[-1]
        last.end, last.exit_code, last.stopped = now, 0, True
        return True

    # --------------------------------------------------------------------- logs

    def lines(self, now: float, *, after: float = 0.0) -> list[Timed]:
        """Log lines written up to ``now`` (and after ``after``), oldest first,
        at most the last ``MAX_LINES``."""
        lines: list[Timed] = []
        for run in self.runs:
            until = now if run.end is None else min(run.end, now)
            if until <= after:
                continue
            lines += [line for line in self.script.startup(run.start) if after < line[0] <= until]
            lines += self._periodic(run, max(after, run.start), until)
            if run.stopped and run.end is not None and after < run.end <= now:
                lines += [(run.end, stream, text) for stream, text in self.script.shutdown]
        return lines[-MAX_LINES:]

    def _periodic(self, run: Run, after: float, until: float) -> list[Timed]:
        script = self.script
        if not script.period or script.line is None:
            return []
        first = run.start + script.ready_after
        last_index = math.floor((until - first) / script.period)
        first_index = max(
            0, math.floor((after - first) / script.period) + 1, last_index - MAX_LINES
        )
        result: list[Timed] = []
        for index in range(first_index, last_index + 1):
            at = first + index * script.period
            result.append((at, *script.line(index, at)))
        return result

    # -------------------------------------------------------------------- stats

    def cpu_total(self, now: float) -> int:
        """Cumulative CPU nanoseconds over all runs, up to ``now``; its rate swings
        by ±30 % around ``script.cpus`` and never falls."""
        total = 0.0
        for run in self.runs:
            span = max(0.0, (now if run.end is None else min(run.end, now)) - run.start)
            total += self.script.cpus * (span + 2.1 * math.sin(span / 7.0)) * 1e9
        return int(total)

    def stats(self, now: float, previous: float | None) -> dict[str, Any]:
        """A ``/containers/{id}/stats`` sample at ``now``, its ``precpu_stats`` taken
        at ``previous`` (empty when None, as in a stream's first sample)."""
        running = self.running(now)
        memory = int(self.script.memory * (0.97 + 0.03 * math.sin(now / 30.0))) if running else 0
        return {
            "read": rfc3339(now) if running else rfc3339(None),
            "preread": rfc3339(previous) if running and previous else rfc3339(None),
            "pids_stats": {"current": 9 if running else 0},
            "num_procs": 0,
            "cpu_stats": self._cpu(now) if running else {"cpu_usage": {"total_usage": 0}},
            "precpu_stats": self._cpu(previous)
            if running and previous
            else {"cpu_usage": {"total_usage": 0}, "throttling_data": {}},
            "memory_stats": {
                "usage": memory + 96 * 1024**2 if running else 0,
                "stats": {"inactive_file": 96 * 1024**2 if running else 0, "anon": memory},
                "limit": HOST_MEMORY if running else 0,
            },
            "name": f"/{self.name}",
            "id": self.id,
        }

    def _cpu(self, at: float) -> dict[str, Any]:
        total = self.cpu_total(at)
        return {
            "cpu_usage": {
                "total_usage": total,
                "usage_in_kernelmode": total // 5,
                "usage_in_usermode": total - total // 5,
            },
            "system_cpu_usage": int(at * 1e9 * HOST_CPUS),
            "online_cpus": HOST_CPUS,
            "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
        }


class ContainerSet:
    """The engine's containers, found by id, id prefix or name."""

    def __init__(self, containers: list[SimContainer]) -> None:
        self._containers = {c.id: c for c in containers}

    def all(self) -> list[SimContainer]:
        """Every container, newest first."""
        return sorted(self._containers.values(), key=lambda c: c.created, reverse=True)

    def require(self, name: str) -> SimContainer:
        """The container ``name`` (an id, a unique id prefix, or a name, with or
        without ``/``) names. Raises ``EngineError`` 404 as the daemon words it."""
        wanted = name.lstrip("/")
        for container in self._containers.values():
            if container.name == wanted or container.id == wanted:
                return container
        matches = [c for c in self._containers.values() if wanted and c.id.startswith(wanted)]
        if len(matches) == 1:
            return matches[0]
        raise EngineError(404, f"No such container: {name}")

    def users(self, now: float) -> dict[str, tuple[str, bool]]:
        """Image id -> (short id, running) of a container using it, running ones first."""
        found: dict[str, tuple[str, bool]] = {}
        for container in sorted(self._containers.values(), key=lambda c: c.running(now)):
            found[container.image_id] = (container.id[:12], container.running(now))
        return found


def container_id(seed: int, name: str) -> str:
    """The deterministic 64-hex id of the sandbox container ``name``."""
    return digest("container", seed, name)
