"""The sandbox's Deployment controller, after kube-controller-manager's.

Each Deployment owns ReplicaSets named ``<deployment>-<pod-template-hash>``. The
one whose template equals the Deployment's is the *new* ReplicaSet; it gets the
next revision (a rollback to an old template reuses that ReplicaSet and moves it
to the next revision, keeping the old number in ``revision-history``), the
Deployment's annotations (``kubernetes.io/change-cause`` among them) and is
scaled up while the old ones are scaled down within ``maxSurge`` and
``maxUnavailable`` (RollingUpdate) or after they are gone (Recreate). A paused
Deployment only scales. Old, empty ReplicaSets beyond ``revisionHistoryLimit``
are deleted. Status and the Available/Progressing conditions (including
ProgressDeadlineExceeded) are written as the real controller writes them.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from console.sandbox.clock import Timers, iso
from console.sandbox.deployment_status import deployment_status
from console.sandbox.events import EventRecorder
from console.sandbox.objects import (
    HASH_LABEL,
    REVISION,
    REVISION_HISTORY,
    Owners,
    controller_ref,
    revision,
    same_template,
    skipping_malformed,
    template_hash,
)
from console.sandbox.store import Change, Manifest, ObjectStore

Key = tuple[str, str]

#: Deployment annotations the controller does not copy onto its ReplicaSets.
SKIPPED_ANNOTATIONS = frozenset({
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
})


def resolve(value: int | str | None, total: int, *, round_up: bool, default: str) -> int:
    """An int-or-percent field (``maxSurge: 25%``) as a pod count of ``total``."""
    value = default if value is None else value
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value)


def surge_and_unavailable(deployment: Manifest) -> tuple[int, int]:
    """``(maxSurge, maxUnavailable)`` as pod counts (unavailable at least 1 when both are 0)."""
    spec = deployment["spec"]
    replicas = spec.get("replicas", 1)
    rolling = spec.get("strategy", {}).get("rollingUpdate", {})
    if spec.get("strategy", {}).get("type") == "Recreate":
        return 0, 0
    surge = resolve(rolling.get("maxSurge"), replicas, round_up=True, default="25%")
    unavailable = resolve(rolling.get("maxUnavailable"), replicas, round_up=False, default="25%")
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, min(unavailable, replicas)


class DeploymentController:
    """Reconciles Deployments against their ReplicaSets; see the module docstring."""

    def __init__(
        self, store: ObjectStore, events: EventRecorder, timers: Timers, now: Callable[[], float]
    ) -> None:
        self._store = store
        self._events = events
        self._timers = timers
        self._now = now
        self.replicasets = Owners()
        self._by_uid: dict[str, Key] = {}
        self._dirty: set[Key] = set()
        self._orphaned: list[str] = []
        self._deadlines: dict[Key, float] = {}

    @property
    def pending(self) -> bool:
        """Whether Deployments wait to be synced."""
        return bool(self._dirty or self._orphaned)

    def notice(self, kind: str, change: Change) -> None:
        """Mark Deployments dirty when they or their ReplicaSets change."""
        meta = change.obj["metadata"]
        if kind == "deployments":
            if change.type == "DELETED":
                self._by_uid.pop(meta["uid"], None)
                self._orphaned.append(meta["uid"])
            else:
                self._by_uid[meta["uid"]] = (meta["namespace"], meta["name"])
                self._dirty.add((meta["namespace"], meta["name"]))
        elif kind == "replicasets":
            owner = self.replicasets.track(change.obj, deleted=change.type == "DELETED")
            if owner is not None and owner in self._by_uid:
                self._dirty.add(self._by_uid[owner])

    def mark(self, key: Key) -> None:
        """Sync the Deployment ``key`` on the next reconcile."""
        self._dirty.add(key)

    def reconcile(self) -> None:
        """Sync every dirty Deployment (in name order); delete orphaned ReplicaSets."""
        orphaned, self._orphaned = self._orphaned, []
        for uid in orphaned:
            for key in self.replicasets.drop_owner(uid):
                if self._store.get("replicasets", *key) is not None:
                    self._store.delete("replicasets", *key)
        dirty, self._dirty = sorted(self._dirty), set()
        for key in dirty:
            deployment = self._store.get("deployments", *key)
            if deployment is not None:
                with skipping_malformed("deployment", key):
                    self._sync(deployment)

    # ------------------------------------------------------------ sync

    def _sync(self, d: Manifest) -> None:
        owned = [rs for k in self.replicasets.children(d["metadata"]["uid"])
                 if (rs := self._store.get("replicasets", *k))]
        template = d["spec"]["template"]
        new = next((rs for rs in owned if same_template(rs["spec"]["template"], template)), None)
        old = [rs for rs in owned if rs is not new]
        created = False
        if d["spec"].get("paused"):
            self._scale_paused(d, new, old)
        else:
            if new is None:
                new, created = self._create_new(d, old), True
            new = self._sync_new_annotations(d, new, old)
            if d["spec"].get("strategy", {}).get("type") == "Recreate":
                new, old = self._recreate(d, new, old)
            else:
                new, old = self._roll(d, new, old)
            old = self._cleanup(d, old)
        self._write_status(d, new, old, created)

    def _create_new(self, d: Manifest, old: list[Manifest]) -> Manifest:
        collisions = d.get("status", {}).get("collisionCount", 0)
        template = d["spec"]["template"]
        while True:
            pth = template_hash(template, collisions)
            name = f"{d['metadata']['name']}-{pth}"
            if self._store.get("replicasets", d["metadata"]["namespace"], name) is None:
                break
            collisions += 1
        labels = {**template["metadata"].get("labels", {}), HASH_LABEL: pth}
        rs_template = copy.deepcopy(template)
        rs_template["metadata"]["labels"] = dict(labels)
        selector = copy.deepcopy(d["spec"]["selector"])
        selector.setdefault("matchLabels", {})[HASH_LABEL] = pth
        spec: dict[str, Any] = {"replicas": 0, "selector": selector, "template": rs_template}
        if d["spec"].get("minReadySeconds"):
            spec["minReadySeconds"] = d["spec"]["minReadySeconds"]
        rs = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": d["metadata"]["namespace"],
                "labels": labels,
                "annotations": {},
                "ownerReferences": [controller_ref(d)],
                "creationTimestamp": iso(self._now()),
            },
            "spec": spec,
            "status": {"replicas": 0},
        }
        if collisions:
            self._set_collisions(d, collisions)
        return self._store.create("replicasets", rs)

    def _set_collisions(self, d: Manifest, count: int) -> None:
        current = self._store.get("deployments", d["metadata"]["namespace"], d["metadata"]["name"])
        if current is not None:
            status = {**current.get("status", {}), "collisionCount": count}
            self._store.update("deployments", {**current, "status": status})

    def _sync_new_annotations(self, d: Manifest, new: Manifest, old: list[Manifest]) -> Manifest:
        """Give the new ReplicaSet the next revision and the Deployment's annotations."""
        next_rev = max((revision(rs) for rs in old), default=0) + 1
        annotations = dict(new["metadata"].get("annotations", {}))
        for k, v in d["metadata"].get("annotations", {}).items():
            if k not in SKIPPED_ANNOTATIONS:
                annotations[k] = v
        current = revision(new)
        if current < next_rev:
            if current:
                history = annotations.get(REVISION_HISTORY)
                annotations[REVISION_HISTORY] = f"{history},{current}" if history else str(current)
            annotations[REVISION] = str(next_rev)
        surge, _ = surge_and_unavailable(d)
        replicas = d["spec"].get("replicas", 1)
        annotations["deployment.kubernetes.io/desired-replicas"] = str(replicas)
        annotations["deployment.kubernetes.io/max-replicas"] = str(replicas + surge)
        if annotations != new["metadata"].get("annotations"):
            new = self._store.update(
                "replicasets", {**new, "metadata": {**new["metadata"], "annotations": annotations}}
            )
        rev = new["metadata"]["annotations"][REVISION]
        if d["metadata"].get("annotations", {}).get(REVISION) != rev:
            meta = {**d["metadata"], "annotations": {**d["metadata"].get("annotations", {}),
                                                     REVISION: rev}}
            self._store.update("deployments", {**d, "metadata": meta})
        return new

    # ------------------------------------------------------------ strategies

    def _roll(
        self, d: Manifest, new: Manifest, old: list[Manifest]
    ) -> tuple[Manifest, list[Manifest]]:
        replicas = d["spec"].get("replicas", 1)
        surge, unavailable = surge_and_unavailable(d)
        want_new = new["spec"]["replicas"]
        if want_new > replicas:
            want_new = replicas
        elif want_new < replicas:
            total = sum(rs["spec"]["replicas"] for rs in (new, *old))
            room = replicas + surge - total
            want_new += max(0, min(room, replicas - want_new))
        new = self._scale(d, new, want_new)
        old_pods = sum(rs["spec"]["replicas"] for rs in old)
        if old_pods == 0:
            return new, old
        all_pods = old_pods + new["spec"]["replicas"]
        min_available = replicas - unavailable
        new_available = new.get("status", {}).get("availableReplicas", 0)
        new_unavailable = new["spec"]["replicas"] - new_available
        budget = all_pods - min_available - new_unavailable
        if budget <= 0:
            return new, old
        old = sorted(old, key=lambda rs: rs["metadata"]["creationTimestamp"])
        # First scale away old pods that are not available anyway.
        for i, rs in enumerate(old):
            unhealthy = rs["spec"]["replicas"] - rs.get("status", {}).get("availableReplicas", 0)
            cut = min(budget, max(unhealthy, 0))
            if cut:
                old[i] = self._scale(d, rs, rs["spec"]["replicas"] - cut)
                budget -= cut
        # Then scale down available old pods while enough stay available.
        available = sum(rs.get("status", {}).get("availableReplicas", 0) for rs in (new, *old))
        allowed = available - min_available
        for i, rs in enumerate(old):
            if allowed <= 0:
                break
            cut = min(rs["spec"]["replicas"], allowed)
            if cut:
                old[i] = self._scale(d, rs, rs["spec"]["replicas"] - cut)
                allowed -= cut
        return new, old

    def _recreate(
        self, d: Manifest, new: Manifest, old: list[Manifest]
    ) -> tuple[Manifest, list[Manifest]]:
        old = [self._scale(d, rs, 0) for rs in old]
        if any(rs.get("status", {}).get("replicas", 0) for rs in old):
            return new, old
        return self._scale(d, new, d["spec"].get("replicas", 1)), old

    def _scale_paused(self, d: Manifest, new: Manifest | None, old: list[Manifest]) -> None:
        """Scale a paused Deployment without rolling: all change goes to the new
        ReplicaSet if there is one, else to the newest active one."""
        replicas = d["spec"].get("replicas", 1)
        active = [rs for rs in old if rs["spec"]["replicas"] > 0]
        target = new or max(active or old, key=revision, default=None)
        if target is None:
            return
        others = sum(rs["spec"]["replicas"] for rs in (*old, new) if rs and rs is not target)
        self._scale(d, target, max(replicas - others, 0))

    def _scale(self, d: Manifest, rs: Manifest, count: int) -> Manifest:
        before = rs["spec"]["replicas"]
        if count == before:
            return rs
        surge, _ = surge_and_unavailable(d)
        replicas = d["spec"].get("replicas", 1)
        annotations = {**rs["metadata"].get("annotations", {}),
                       "deployment.kubernetes.io/desired-replicas": str(replicas),
                       "deployment.kubernetes.io/max-replicas": str(replicas + surge)}
        scaled = {**rs, "metadata": {**rs["metadata"], "annotations": annotations},
                  "spec": {**rs["spec"], "replicas": count}}
        direction = "up" if count > before else "down"
        self._events.record(
            d, "Normal", "ScalingReplicaSet",
            f"Scaled {direction} replica set {rs['metadata']['name']} to {count} from {before}",
            component="deployment-controller",
        )
        return self._store.update("replicasets", scaled)

    def _cleanup(self, d: Manifest, old: list[Manifest]) -> list[Manifest]:
        limit = d["spec"].get("revisionHistoryLimit", 10)
        surplus = len(old) - limit
        if surplus <= 0:
            return old
        doomed = []
        for rs in sorted(old, key=revision)[:surplus]:
            gen = rs["metadata"].get("generation", 1)
            status = rs.get("status", {})
            if status.get("replicas", 0) or rs["spec"]["replicas"]:
                continue
            if gen > status.get("observedGeneration", 0):
                continue
            self._store.delete("replicasets", rs["metadata"]["namespace"], rs["metadata"]["name"])
            doomed.append(rs)
        return [rs for rs in old if all(rs is not g for g in doomed)]

    # ------------------------------------------------------------ status

    def _write_status(
        self, d: Manifest, new: Manifest | None, old: list[Manifest], created: bool
    ) -> None:
        current = self._store.get("deployments", d["metadata"]["namespace"], d["metadata"]["name"])
        if current is None:
            return
        _, unavailable = surge_and_unavailable(current)
        status, deadline = deployment_status(current, new, old, unavailable, self._now(), created)
        if status != current.get("status"):
            self._store.update("deployments", {**current, "status": status})
        key = (d["metadata"]["namespace"], d["metadata"]["name"])
        if deadline is not None and self._deadlines.get(key) != deadline:
            self._deadlines[key] = deadline
            self._timers.at(deadline, lambda: self.mark(key))
