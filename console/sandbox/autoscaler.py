"""The sandbox's HorizontalPodAutoscaler controller, after kube-controller-manager's.

Every ``SYNC_PERIOD`` seconds (and when an HPA's spec changes) each HPA is synced
as the real controller syncs it: a target Deployment whose ``spec.replicas`` is
above ``maxReplicas`` or below ``minReplicas`` is put back at the bound; otherwise
the replica count follows CPU utilisation — ``ceil(current * utilisation /
target)``, nothing within the 10 % tolerance, scale-up at most to ``max(2 *
current, 4)``, scale-down only to the highest recommendation of the last five
minutes (the default stabilisation window). A replica count of 0 disables
scaling. Status (``currentReplicas``, ``desiredReplicas``, ``currentMetrics``,
``lastScaleTime``, the AbleToScale / ScalingActive / ScalingLimited conditions)
and the ``SuccessfulRescale`` events are written as the real controller writes
them.

The sandbox has no metrics-server, so CPU comes from a model: each HPA's target
carries a steady demand, fixed at its first sync at 92 to 98 % of the target
utilisation over the replicas it then runs (so the default world does not move
on its own), spread over however many replicas it has, with a ±2 % wobble per
minute. Scaling a Deployment up by hand therefore lowers the utilisation and
the HPA brings it back after the stabilisation window. Everything is
deterministic for the world's seed.

Unlike the real controller, a paused Deployment is left alone (its status is
still reported), so a rollout an operator paused is not fought over.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from console.sandbox.clock import Timers, iso
from console.sandbox.events import EventRecorder
from console.sandbox.quantity import milli
from console.sandbox.store import Change, Manifest, ObjectStore

Key = tuple[str, str]

KIND = "horizontalpodautoscalers"
#: Seconds between two syncs of one HPA (``--horizontal-pod-autoscaler-sync-period``).
SYNC_PERIOD = 15.0
#: Utilisation ratios this close to 1 change nothing (``--horizontal-pod-autoscaler-tolerance``).
TOLERANCE = 0.1
#: Scale-down takes the highest recommendation of this many seconds.
DOWNSCALE_WINDOW = 300.0
_COMPONENT = "horizontal-pod-autoscaler"
_CPU_REASON = "cpu resource utilization (percentage of request)"


def _cpu_target(hpa: Manifest) -> int | None:
    """The target average CPU utilisation (percent) of ``hpa``'s metrics, or None."""
    for metric in (hpa.get("spec") or {}).get("metrics") or []:
        resource = metric.get("resource") or {}
        target = resource.get("target") or {}
        if metric.get("type") == "Resource" and resource.get("name") == "cpu":
            value = target.get("averageUtilization")
            return int(value) if target.get("type") == "Utilization" and value else None
    return None


def _cpu_request_milli(deployment: Manifest) -> int | None:
    """The CPU request of one pod of ``deployment`` (millicores), None when a
    container requests none (utilisation is then undefined, as for the real HPA)."""
    containers = deployment["spec"]["template"]["spec"].get("containers") or []
    total = 0
    for c in containers:
        resources = c.get("resources") or {}
        cpu = (resources.get("requests") or {}).get("cpu") or (resources.get("limits") or {}).get(
            "cpu")
        if cpu is None:
            return None
        total += milli(str(cpu))
    return total or None


def _condition(type_: str, status: bool, reason: str, message: str) -> Manifest:
    return {"type": type_, "status": "True" if status else "False", "reason": reason,
            "message": message}


class HpaController:
    """Syncs HorizontalPodAutoscalers with their target Deployments; see the module
    docstring."""

    def __init__(
        self, store: ObjectStore, events: EventRecorder, timers: Timers,
        now: Callable[[], float], seed: int,
    ) -> None:
        self._store = store
        self._events = events
        self._timers = timers
        self._now = now
        self._seed = seed
        self._dirty: set[Key] = set()
        #: uid of each HPA with a periodic sync armed.
        self._armed: dict[Key, str] = {}
        #: The spec each HPA was last synced with (its own status writes don't resync it).
        self._specs: dict[Key, Manifest] = {}
        #: Demand (in pods at 100 % of request) per HPA uid, fixed at its first sync.
        self._demand: dict[str, float] = {}
        #: (time, recommendation) per HPA uid, for the scale-down window.
        self._recommendations: dict[str, list[tuple[float, int]]] = {}

    @property
    def pending(self) -> bool:
        """Whether HPAs wait to be synced."""
        return bool(self._dirty)

    def notice(self, kind: str, change: Change) -> None:
        """Sync an HPA when it is created or its spec changes; arm its periodic sync."""
        if kind != KIND:
            return
        meta = change.obj["metadata"]
        key, uid = (meta["namespace"], meta["name"]), meta.get("uid", "")
        if change.type == "DELETED":
            self._armed.pop(key, None)
            self._specs.pop(key, None)
            self._demand.pop(uid, None)
            self._recommendations.pop(uid, None)
            self._dirty.discard(key)
            return
        if change.obj.get("spec") != self._specs.get(key):
            self._dirty.add(key)
        if self._armed.get(key) != uid:
            self._armed[key] = uid
            self._timers.at(self._now() + SYNC_PERIOD, lambda: self._tick(key, uid))

    def _tick(self, key: Key, uid: str) -> None:
        if self._armed.get(key) != uid:
            return  # deleted (or deleted and created again, with a timer of its own)
        self._dirty.add(key)
        self._timers.at(self._now() + SYNC_PERIOD, lambda: self._tick(key, uid))

    def reconcile(self) -> None:
        """Sync every HPA due (in name order)."""
        dirty, self._dirty = sorted(self._dirty), set()
        for key in dirty:
            hpa = self._store.get(KIND, *key)
            if hpa is not None:
                self._specs[key] = hpa.get("spec") or {}
                self._sync(hpa)

    # ------------------------------------------------------------ one sync

    def _sync(self, hpa: Manifest) -> None:
        spec, meta = hpa.get("spec") or {}, hpa["metadata"]
        ref = spec.get("scaleTargetRef") or {}
        target = None
        if ref.get("kind") == "Deployment":
            target = self._store.get("deployments", meta["namespace"], ref.get("name", ""))
        if target is None:
            self._target_missing(hpa, ref)
            return
        current = int(target["spec"].get("replicas", 1))
        low, high = int(spec.get("minReplicas", 1)), int(spec.get("maxReplicas", 1))
        metrics, utilization = self._cpu(hpa, target, current, low, high)
        able = _condition("AbleToScale", True, "ReadyForNewScale",
                          "recommended size matches current size")
        valid = _condition("ScalingActive", True, "ValidMetricFound",
                           f"the HPA was able to successfully calculate a replica count from "
                           f"{_CPU_REASON}")
        limited = _condition("ScalingLimited", False, "DesiredWithinRange",
                             "the desired count is within the acceptable range")
        if current == 0:
            desired, reason = 0, ""
            active = _condition("ScalingActive", False, "ScalingDisabled",
                                "scaling is disabled since the replica count of the target "
                                "is zero")
        elif current > high:
            desired, reason = high, "Current number of replicas above Spec.MaxReplicas"
            limited = _condition("ScalingLimited", True, "TooManyReplicas",
                                 "the desired replica count is more than the maximum replica "
                                 "count")
            active = valid
        elif current < low:
            desired, reason = low, "Current number of replicas below Spec.MinReplicas"
            limited = _condition("ScalingLimited", True, "TooFewReplicas",
                                 "the desired replica count is less than the minimum replica "
                                 "count")
            active = valid
        elif utilization is None:
            desired, reason = current, ""
            active = _condition("ScalingActive", False, "FailedGetResourceMetric",
                                "the HPA was unable to compute the replica count: failed to get "
                                "cpu utilization: missing request for cpu")
        else:
            desired, reason, able, limited = self._recommend(hpa, current, low, high, utilization)
            active = valid
        status = dict(hpa.get("status") or {})
        if desired != current and not target["spec"].get("paused"):
            self._store.update("deployments", {**target, "spec": {**target["spec"],
                                                                  "replicas": desired}})
            self._events.record(hpa, "Normal", "SuccessfulRescale",
                                f"New size: {desired}; reason: {reason}", component=_COMPONENT)
            status["lastScaleTime"] = iso(self._now())
        status.update(observedGeneration=meta.get("generation", 1), currentReplicas=current,
                      desiredReplicas=desired)
        if metrics:
            status["currentMetrics"] = metrics
        else:
            status.pop("currentMetrics", None)
        self._write_status(hpa, status, [able, active, limited])

    def _cpu(self, hpa: Manifest, target: Manifest, current: int, low: int,
             high: int) -> tuple[list[Manifest], int | None]:
        """``currentMetrics`` and the average CPU utilisation (percent) of the target's
        pods now, or ``([], None)`` when it cannot be had (no request, no target
        utilisation, no pods)."""
        wanted, request = _cpu_target(hpa), _cpu_request_milli(target)
        if wanted is None or request is None or current == 0:
            return [], None
        uid = hpa["metadata"].get("uid", "")
        ns, name = hpa["metadata"]["namespace"], hpa["metadata"]["name"]
        if uid not in self._demand:
            share = random.Random(f"{self._seed}/{ns}/{name}").uniform(0.92, 0.98)
            self._demand[uid] = min(max(current, low), high) * wanted / 100 * share
        minute = int(self._now() // 60)
        wobble = 1 + random.Random(f"{self._seed}/{ns}/{name}/{minute}").uniform(-0.02, 0.02)
        utilization = round(self._demand[uid] / current * 100 * wobble)
        metric = {"type": "Resource", "resource": {"name": "cpu", "current": {
            "averageUtilization": utilization,
            "averageValue": f"{round(request * utilization / 100)}m"}}}
        return [metric], utilization

    def _recommend(self, hpa: Manifest, current: int, low: int, high: int,
                   utilization: int) -> tuple[int, str, Manifest, Manifest]:
        """The replica count CPU asks for, stabilised and limited as the real
        controller does: (desired, event reason, AbleToScale, ScalingLimited)."""
        wanted = _cpu_target(hpa) or 80
        ratio = utilization / wanted
        raw = current if abs(1 - ratio) <= TOLERANCE else math.ceil(current * ratio)
        uid, now = hpa["metadata"].get("uid", ""), self._now()
        history = [(t, r) for t, r in self._recommendations.get(uid, [])
                   if t > now - DOWNSCALE_WINDOW]
        history.append((now, raw))
        self._recommendations[uid] = history
        stabilised = max(r for _, r in history) if raw < current else raw
        able = _condition("AbleToScale", True, "ReadyForNewScale",
                          "recommended size matches current size")
        if stabilised != raw:
            able = _condition("AbleToScale", True, "ScaleDownStabilized",
                              "recent recommendations were higher than current one, applying "
                              "the highest recent recommendation")
        limited = _condition("ScalingLimited", False, "DesiredWithinRange",
                             "the desired count is within the acceptable range")
        up_limit = max(2 * current, 4)
        desired = stabilised
        if desired > min(high, up_limit):
            desired = min(high, up_limit)
            reason, message = (("TooManyReplicas", "the desired replica count is more than "
                                "the maximum replica count") if high <= up_limit else
                               ("ScaleUpLimit", "the desired replica count is increasing "
                                "faster than the maximum scale rate"))
            limited = _condition("ScalingLimited", True, reason, message)
        elif desired < low:
            desired = low
            limited = _condition("ScalingLimited", True, "TooFewReplicas",
                                 "the desired replica count is less than the minimum replica "
                                 "count")
        reason = f"{_CPU_REASON} above target" if desired > current else "All metrics below target"
        return desired, reason, able, limited

    def _target_missing(self, hpa: Manifest, ref: Manifest) -> None:
        kind, name = ref.get("kind", ""), ref.get("name", "")
        detail = (f'deployments.apps "{name}" not found' if kind == "Deployment"
                  else f'no matches for kind "{kind}"')
        self._events.record(hpa, "Warning", "FailedGetScale", detail, component=_COMPONENT)
        able = _condition("AbleToScale", False, "FailedGetScale",
                          f"the HPA controller was unable to get the target's current scale: "
                          f"{detail}")
        status = dict(hpa.get("status") or {})
        status.setdefault("currentReplicas", 0)
        status.setdefault("desiredReplicas", 0)
        status["observedGeneration"] = hpa["metadata"].get("generation", 1)
        self._write_status(hpa, status, [able])

    def _write_status(self, hpa: Manifest, status: Manifest, conditions: list[Manifest]) -> None:
        """Store ``status`` with ``conditions``, each keeping its transition time while
        its status is unchanged (nothing is written when nothing changed)."""
        previous = {c.get("type"): c for c in (hpa.get("status") or {}).get("conditions") or []}
        stamped = []
        for c in conditions:
            old = previous.get(c["type"])
            since = (old.get("lastTransitionTime") if old and old.get("status") == c["status"]
                     else None) or iso(self._now())
            stamped.append({"type": c["type"], "status": c["status"],
                            "lastTransitionTime": since, "reason": c["reason"],
                            "message": c["message"]})
        status["conditions"] = stamped
        current = self._store.get(KIND, hpa["metadata"]["namespace"], hpa["metadata"]["name"])
        if current is not None and status != current.get("status"):
            self._store.update(KIND, {**current, "status": status})
