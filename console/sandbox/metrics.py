"""The sandbox's series, generated from its world, and served to the PromQL engine.

``MetricsEngine`` watches the object store: a pod that starts running gets its
container series, one that becomes ready and serves traffic gets request and
latency series, GPU nodes get DCGM series per slot and holder, and every pod,
Deployment and Node gets kube-state series. Workload series are closed-form
functions of time (``console.sandbox.signals``), sampled lazily on the scrape grid
when queried; nothing runs while nobody asks. Objects present when the engine
attaches are backfilled over ``RETENTION`` so charts have history at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping, Sequence
from typing import Protocol, TypeVar

from console.sandbox.clock import parse_iso
from console.sandbox.gpu_series import GpuSeries, GpuSlot, assign
from console.sandbox.kube_state import STATE_OF, StepSeries
from console.sandbox.objects import is_ready
from console.sandbox.pod_series import PodContainers, PodTraffic, serves_traffic
from console.sandbox.promql import Labels, Matcher, StoredSeries
from console.sandbox.signals import RETENTION, SCRAPE_INTERVAL, SeriesGroup
from console.sandbox.store import Change, Manifest, ObjectStore

GroupKey = tuple[str, ...]
K = TypeVar("K")
G = TypeVar("G", bound=SeriesGroup)


class WorldLike(Protocol):
    """What the engine needs of ``console.sandbox.world.World``."""

    store: ObjectStore
    seed: int

    def now(self) -> float: ...


class MetricsEngine:
    """Every series of the sandbox, live and recently vanished (a ``SeriesSource``)."""

    def __init__(self, store: ObjectStore, clock: Callable[[], float], seed: int) -> None:
        self.store = store
        self.clock = clock
        self.seed = seed
        #: Pod workload groups keyed by (kind, namespace, name, part).
        self._live: dict[GroupKey, SeriesGroup] = {}
        #: kube-state series per object, keyed by (kind, namespace, name).
        self._state: dict[GroupKey, dict[Labels, StepSeries]] = {}
        #: GPU groups per node, keyed by (gpu, MIG profile, instance, holder).
        self._gpus: dict[str, dict[GroupKey, GpuSeries]] = {}
        #: Pods holding GPU resources, per node.
        self._gpu_pods: dict[str, dict[tuple[str, str], Manifest]] = {}
        self._retired: list[SeriesGroup] = []
        self._attached_at: float | None = clock()
        for kind, obj in store.iter_all():
            self._observe(kind, obj)
        for node in store.list("nodes"):
            self._refresh_gpus(node["metadata"]["name"])
        self._attached_at = None
        store.subscribe(self._on_change)

    @classmethod
    def attach(cls, world: WorldLike) -> MetricsEngine:
        """An engine following ``world``'s store on its simulated clock."""
        return cls(world.store, world.now, world.seed)

    # -------------------------------------------------------------- reading

    def groups(self, start: float = float("-inf")) -> Iterator[SeriesGroup]:
        """Live groups and those that vanished at or after ``start``."""
        horizon = self.clock() - RETENTION
        if self._retired and min(g.end or 0.0 for g in self._retired) < horizon:
            self._retired = [g for g in self._retired if (g.end or 0.0) >= horizon]
        yield from self._live.values()
        for state in self._state.values():
            yield from state.values()
        for gpus in self._gpus.values():
            yield from gpus.values()
        yield from (g for g in self._retired if (g.end or 0.0) >= start)

    def select(
        self, matchers: Sequence[Matcher], start: float, end: float, *,
        newest_at: Sequence[float] | None = None,
    ) -> list[StoredSeries]:
        """Series matching every matcher with their grid samples in [start, end]
        (with ``newest_at``, only the newest at or before each of those times).
        Series of the same labels from successive lifetimes are joined."""
        found: dict[Labels, list[tuple[float, list[float], list[float], float | None]]] = {}
        name = _metric_name(matchers)
        for group in self.groups(start):
            wanted = _matching(group, matchers, name)
            if not wanted:
                continue
            times = group.grid(start, end, newest_at)
            if not times:
                continue
            for i, values in zip(wanted, group.columns(wanted, times), strict=True):
                found.setdefault(group.labels[i], []).append(
                    (group.start, times, values, group.end))
        return [_join(labels, parts) for labels, parts in found.items()]

    def current(self) -> Iterator[tuple[Labels, float]]:
        """Every live series and its value now (what ``/metrics`` shows)."""
        now = self.clock()
        for group in self.groups(now):
            if group.end is None and group.start <= now:
                yield from zip(group.labels, group.values(now), strict=True)

    def label_sets(self, matchers: Sequence[Matcher], start: float, end: float) -> set[Labels]:
        """The label sets of series matching ``matchers`` that had samples in [start, end]."""
        out: set[Labels] = set()
        name = _metric_name(matchers)
        for group in self.groups(start):
            if group.start > end:
                continue
            out.update(group.labels[i] for i in _matching(group, matchers, name))
        return out

    # ------------------------------------------------------------- tracking

    def _now_or_backfill(self, obj: Manifest) -> float:
        """When an object's series begin: now, or while attaching, its creation
        time if it predates the attachment, else the start of retention."""
        if self._attached_at is None:
            return self.clock()
        horizon = self._attached_at - RETENTION
        try:
            created = parse_iso(obj["metadata"].get("creationTimestamp", ""))
        except ValueError:
            return horizon
        if created < self._attached_at - SCRAPE_INTERVAL:
            return max(created, horizon)
        return horizon

    def _on_change(self, kind: str, change: Change) -> None:
        self._observe(kind, change.obj, deleted=change.type == "DELETED")
        if kind == "nodes":
            self._refresh_gpus(change.obj["metadata"]["name"])

    def _observe(self, kind: str, obj: Manifest, *, deleted: bool = False) -> None:
        meta = obj["metadata"]
        ident = (kind, meta.get("namespace", ""), meta["name"])
        if kind in STATE_OF:
            self._track_state(ident, {} if deleted else STATE_OF[kind](obj), obj)
        if kind != "pods":
            return
        self._track_gpu_holder(obj, deleted)
        if deleted:
            for part in ("containers", "traffic"):
                self._retire(self._live, (*ident, part))
            return
        running = obj.get("status", {}).get("phase") == "Running"
        if running and (*ident, "containers") not in self._live:
            self._live[(*ident, "containers")] = PodContainers(
                obj, self.seed, self._now_or_backfill(obj))
        traffic = (*ident, "traffic")
        if is_ready(obj) and serves_traffic(obj) and traffic not in self._live:
            self._live[traffic] = PodTraffic(obj, self.seed, self._now_or_backfill(obj))

    def _track_state(self, ident: GroupKey, state: dict[Labels, float], obj: Manifest) -> None:
        now = self.clock()
        known = self._state.setdefault(ident, {})
        for labels in [labels for labels in known if labels not in state]:
            self._retire(known, labels)
        for labels, value in state.items():
            series = known.get(labels)
            if series is None:
                known[labels] = StepSeries(labels, self._now_or_backfill(obj), value)
            else:
                series.record(now, value)
        if not known:
            del self._state[ident]

    def _track_gpu_holder(self, pod: Manifest, deleted: bool) -> None:
        if not _holds_gpu(pod):
            return
        key = (pod["metadata"].get("namespace", ""), pod["metadata"]["name"])
        node = pod["spec"].get("nodeName", "")
        for name, holders in self._gpu_pods.items():
            if name != node and holders.pop(key, None) is not None:
                self._refresh_gpus(name)
        if node:
            holders = self._gpu_pods.setdefault(node, {})
            if deleted:
                holders.pop(key, None)
            else:
                holders[key] = pod
            self._refresh_gpus(node)

    def _refresh_gpus(self, node_name: str) -> None:
        node = self.store.get("nodes", "", node_name)
        live = self._gpus.setdefault(node_name, {})
        wanted: dict[GroupKey, tuple[GpuSlot, Manifest | None]] = {}
        if node is not None:
            for slot, pod in assign(node, self._gpu_pods.get(node_name, {}).values()):
                holder = pod["metadata"]["name"] if pod is not None else ""
                slot_key = (str(slot.gpu), slot.mig_profile, str(slot.instance), holder)
                wanted.setdefault(slot_key, (slot, pod))
        for gone in [k for k in live if k not in wanted]:
            self._retire(live, gone)
        for key, (slot, pod) in wanted.items():
            if key not in live and node is not None:
                start = self._now_or_backfill(pod if pod is not None else node)
                live[key] = GpuSeries(node, slot, pod, self.seed, start)

    def _retire(self, groups: MutableMapping[K, G], key: K) -> None:
        group = groups.pop(key, None)
        if group is not None:
            group.end = self.clock()
            self._retired.append(group)


def _holds_gpu(pod: Manifest) -> bool:
    for c in pod["spec"].get("containers", ()):
        res = c.get("resources", {})
        if any(r.startswith("nvidia.com/") for r in {**(res.get("limits") or {}),
                                                      **(res.get("requests") or {})}):
            return True
    return False


def _metric_name(matchers: Sequence[Matcher]) -> str | None:
    """The metric name ``matchers`` require exactly, if they do."""
    return next((m.value for m in matchers if m.name == "__name__" and m.op == "="), None)


def _matching(group: SeriesGroup, matchers: Sequence[Matcher], name: str | None) -> list[int]:
    """The indices of ``group``'s series that match every matcher; ``name`` is the
    metric name the matchers require (``_metric_name``), if any."""
    candidates = group.by_name.get(name, []) if name is not None else range(len(group.labels))
    return [i for i in candidates if _matches(group.labels[i], matchers)]


def _matches(labels: Labels, matchers: Sequence[Matcher]) -> bool:
    values = dict(labels)
    return all(m.matches(values.get(m.name, "")) for m in matchers)


def _join(
    labels: Labels, parts: list[tuple[float, list[float], list[float], float | None]]
) -> StoredSeries:
    if len(parts) == 1:
        _, times, values, end = parts[0]
        return StoredSeries(labels, times, values, end)
    parts.sort(key=lambda p: p[0])
    times, values = [], []
    for _, ts, vs, _ in parts:
        times.extend(ts)
        values.extend(vs)
    return StoredSeries(labels, times, values, parts[-1][3])
