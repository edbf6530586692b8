"""The sandbox's ReplicaSet controller: keeps ``spec.replicas`` pods of each ReplicaSet.

Missing pods are created from the template as ``<rs-name>-<5 chars>`` with the
ReplicaSet as controlling owner; surplus pods are deleted in the real
controller's order (unscheduled, then pending, then not ready, then most
restarted, then newest first). Status counts pods that exist, are ready, and have
been ready for ``minReadySeconds`` (available). Deleting a ReplicaSet deletes its
pods, as the garbage collector would.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from console.sandbox.clock import Timers, iso, parse_iso
from console.sandbox.events import EventRecorder
from console.sandbox.objects import (
    Owners,
    condition,
    controller_ref,
    is_ready,
    is_terminal,
    random_suffix,
    skipping_malformed,
)
from console.sandbox.qos import qos_class
from console.sandbox.store import Change, Manifest, ObjectStore

Key = tuple[str, str]
#: The most pods one sync creates or deletes (the real controller's burstReplicas).
BURST = 500


class ReplicaSetController:
    """Reconciles ReplicaSets against their pods; see the module docstring."""

    def __init__(
        self,
        store: ObjectStore,
        events: EventRecorder,
        timers: Timers,
        now: Callable[[], float],
        rng: random.Random,
    ) -> None:
        self._store = store
        self._events = events
        self._timers = timers
        self._now = now
        self._rng = rng
        self.pods = Owners()
        self._by_uid: dict[str, Key] = {}
        self._dirty: set[Key] = set()
        self._orphaned: list[str] = []
        self._wakeups: set[tuple[Key, float]] = set()

    @property
    def pending(self) -> bool:
        """Whether ReplicaSets wait to be synced."""
        return bool(self._dirty or self._orphaned)

    def notice(self, kind: str, change: Change) -> None:
        """Mark ReplicaSets dirty when they or their pods change."""
        meta = change.obj["metadata"]
        if kind == "replicasets":
            key = (meta["namespace"], meta["name"])
            if change.type == "DELETED":
                self._by_uid.pop(meta["uid"], None)
                self._orphaned.append(meta["uid"])
            else:
                self._by_uid[meta["uid"]] = key
                self._dirty.add(key)
        elif kind == "pods":
            owner = self.pods.track(change.obj, deleted=change.type == "DELETED")
            if owner is not None and owner in self._by_uid:
                self._dirty.add(self._by_uid[owner])

    def reconcile(self) -> None:
        """Sync every dirty ReplicaSet (in name order) and collect orphaned pods."""
        orphaned, self._orphaned = self._orphaned, []
        for uid in orphaned:
            for key in self.pods.drop_owner(uid):
                if self._store.get("pods", *key) is not None:
                    self._store.delete("pods", *key)
        dirty, self._dirty = sorted(self._dirty), set()
        for key in dirty:
            rs = self._store.get("replicasets", *key)
            if rs is not None:
                with skipping_malformed("replicaset", key):
                    self._sync(rs)

    def _sync(self, rs: Manifest) -> None:
        uid = rs["metadata"]["uid"]
        pods = [p for k in self.pods.children(uid) if (p := self._store.get("pods", *k))]
        active = [p for p in pods
                  if not is_terminal(p) and not p["metadata"].get("deletionTimestamp")]
        want = rs["spec"].get("replicas", 1)
        if len(active) < want:
            for _ in range(min(want - len(active), BURST)):
                active.append(self._create_pod(rs))
        elif len(active) > want:
            doomed = sorted(active, key=_deletion_rank)[: min(len(active) - want, BURST)]
            for pod in doomed:
                self._store.delete("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])
                self._events.record(rs, "Normal", "SuccessfulDelete",
                                    f"Deleted pod: {pod['metadata']['name']}",
                                    component="replicaset-controller")
            gone = {id(p) for p in doomed}
            active = [p for p in active if id(p) not in gone]
        self._write_status(rs, active)

    def _create_pod(self, rs: Manifest) -> Manifest:
        template = rs["spec"]["template"]
        namespace, rs_name = rs["metadata"]["namespace"], rs["metadata"]["name"]
        name = f"{rs_name}-{random_suffix(self._rng)}"
        while self._store.get("pods", namespace, name) is not None:
            name = f"{rs_name}-{random_suffix(self._rng)}"
        meta: dict[str, Any] = {
            "name": name,
            "generateName": f"{rs_name}-",
            "namespace": namespace,
            "labels": dict(template["metadata"].get("labels", {})),
            "ownerReferences": [controller_ref(rs)],
            "creationTimestamp": iso(self._now()),
        }
        if template["metadata"].get("annotations"):
            meta["annotations"] = dict(template["metadata"]["annotations"])
        spec = template["spec"]  # the store keeps its own deep copy
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta,
            "spec": spec,
            "status": {"phase": "Pending", "qosClass": qos_class(spec)},
        }
        created = self._store.create("pods", pod)
        self._events.record(rs, "Normal", "SuccessfulCreate", f"Created pod: {name}",
                            component="replicaset-controller")
        return created

    def _write_status(self, rs: Manifest, active: list[Manifest]) -> None:
        min_ready = rs["spec"].get("minReadySeconds", 0)
        now = self._now()
        ready = [p for p in active if is_ready(p)]
        available = 0
        for pod in ready:
            since = parse_iso(condition(pod, "Ready")["lastTransitionTime"])  # type: ignore[index]
            if since + min_ready <= now:
                available += 1
            else:
                self._wake((rs["metadata"]["namespace"], rs["metadata"]["name"]), since + min_ready)
        counts = {
            "replicas": len(active),
            "fullyLabeledReplicas": len(active),
            "readyReplicas": len(ready),
            "availableReplicas": available,
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        status = {k: v for k, v in counts.items() if v or k == "replicas"}
        if status != rs.get("status"):
            self._store.update("replicasets", {**rs, "status": status})

    def _wake(self, key: Key, due: float) -> None:
        """Sync ``key`` again at ``due`` (once, however often asked)."""
        if (key, due) in self._wakeups:
            return
        self._wakeups.add((key, due))

        def fire() -> None:
            self._wakeups.discard((key, due))
            self._dirty.add(key)

        self._timers.at(due, fire)


def _deletion_rank(pod: Manifest) -> tuple[int, int, int, int, float]:
    """Sort key putting the pod to delete first: unscheduled < scheduled, Pending
    < Running, not ready < ready, more restarts first, newer first."""
    status = pod.get("status", {})
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(status.get("phase", ""), 0)
    restarts = sum(c.get("restartCount", 0) for c in status.get("containerStatuses", ()))
    created = parse_iso(pod["metadata"]["creationTimestamp"])
    return (
        1 if pod["spec"].get("nodeName") else 0,
        phase_rank,
        1 if is_ready(pod) else 0,
        -restarts,
        -created,
    )
