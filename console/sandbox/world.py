"""The sandbox world: a simulated GPU inference platform behind the Kubernetes face.

``World`` owns simulated time and the controllers — deployment, replicaset,
scheduler, kubelet, horizontal pod autoscaler — that make the manifests in the
``ObjectStore`` behave like a real cluster. It is driven only through the store:
whatever writes to it (the face answering kubectl, a test, the world's own
history) is noticed through ``store.subscribe`` and reconciled. Everything runs
on one thread: the loop that runs ``run()`` (or the caller of
``populate``/``step``) and the face share it.

Simulated time starts at the real time of construction and runs ``speed`` times
as fast; ``step(seconds)`` jumps it forward, firing every timer due on the way
in order, so tests never sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import random

from console.sandbox.autoscaler import HpaController
from console.sandbox.clock import SimClock, Timers
from console.sandbox.controllers import DeploymentController
from console.sandbox.events import EventRecorder
from console.sandbox.kubelet import Kubelet
from console.sandbox.logs import LogSource
from console.sandbox.replicaset import ReplicaSetController
from console.sandbox.scenario import WARMUP, Scenario
from console.sandbox.scheduler import Scheduler
from console.sandbox.store import Change, ObjectStore

#: Real seconds between reconciles of a running world.
TICK = 0.2
#: Reconcile rounds after which a world that keeps changing is left for the next tick.
MAX_ROUNDS = 50


class World:
    """The simulated platform; see the module docstring."""

    def __init__(
        self,
        store: ObjectStore,
        *,
        seed: int = 7,
        speed: float = 1.0,
        pods: int | None = None,
        nodes: int | None = None,
    ) -> None:
        self.store = store
        self.seed = seed
        self.scenario = Scenario(seed=seed, pods=pods, nodes=nodes)
        self._clock = SimClock(speed)
        self._timers = Timers()
        self.events = EventRecorder(store, self.now)
        self.logs = LogSource(self.now, seed=seed)
        self.deployments = DeploymentController(store, self.events, self._timers, self.now)
        self.replicasets = ReplicaSetController(
            store, self.events, self._timers, self.now, random.Random(seed)
        )
        self.kubelet = Kubelet(store, self.events, self.logs, self._timers, self.now)
        self.scheduler = Scheduler(store, self.events, self.now, on_bind=self.kubelet.admit)
        self.autoscalers = HpaController(store, self.events, self._timers, self.now, seed)
        self._controllers = (self.autoscalers, self.deployments, self.replicasets,
                             self.scheduler, self.kubelet)
        self._reconciling = False
        self._hold_events = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        for kind, obj in list(store.iter_all()):
            self._notice(kind, Change("ADDED", 0, obj))
        store.subscribe(self._notice)

    # ------------------------------------------------------------ time

    def now(self) -> float:
        """The simulated unix time."""
        return self._clock.now()

    def step(self, seconds: float) -> None:
        """Advance simulated time by ``seconds``, firing every timer due on the
        way in time order and reconciling after each. Raises ``ValueError`` for a
        negative step."""
        if seconds < 0:
            raise ValueError(f"cannot step back in time ({seconds} s)")
        self._advance(self.now() + seconds)

    def _advance(self, target: float) -> None:
        self._clock.pin(self.now())
        try:
            self._run_until(target)
        finally:
            self._clock.release()

    def _run_until(self, target: float) -> None:
        """With the clock pinned, fire the timers due up to ``target`` in order,
        reconciling after each, and leave the clock pinned at ``target``."""
        self.reconcile()
        while (due := self._timers.next_due()) is not None and due <= target:
            self._clock.pin(max(due, self.now()))
            for callback in self._timers.pop_due(due):
                callback()
            self.reconcile()
        self._clock.pin(max(target, self.now()))
        self.reconcile()

    # ------------------------------------------------------------ world

    def populate(self) -> None:
        """Create the default world for the seed and replay its last ``WARMUP``
        seconds of history (rollouts, crash loops, a stuck job), ending at the
        present. Deterministic for the seed. Raises ``StoreError`` if the store
        already holds objects of the same names."""
        present = self.now()
        self._hold_events = True
        self._clock.pin(present - WARMUP)
        try:
            for kind, obj in self.scenario.initial(present - WARMUP):
                self.store.create(kind, obj)
            for when, change in self.scenario.timeline(present - WARMUP):
                self._run_until(when)
                change(self.store)
            self._run_until(present)
        finally:
            self._clock.release()
            self._hold_events = False
            self.events.flush()

    def reconcile(self) -> None:
        """Run the controllers until nothing is left to do (or ``MAX_ROUNDS``),
        then write the events they recorded."""
        self._reconciling = True
        try:
            for _ in range(MAX_ROUNDS):
                if not any(c.pending for c in self._controllers):
                    break
                for controller in self._controllers:
                    controller.reconcile()
        finally:
            self._reconciling = False
        if not self._hold_events:
            self.events.flush()

    def _notice(self, kind: str, change: Change) -> None:
        if kind == "events":
            return
        for controller in self._controllers:
            controller.notice(kind, change)
        if not self._reconciling:
            self.kick()

    # ------------------------------------------------------------ running

    def kick(self) -> None:
        """Ask the running controller loop to reconcile soon (safe from any thread)."""
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wake.set()
        else:
            loop.call_soon_threadsafe(wake.set)

    async def run(self) -> None:
        """Reconcile every ``TICK`` real seconds, when kicked, and when a timer is
        due, until cancelled. Sleeps in between, so an idle world costs nearly nothing."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        try:
            while True:
                self._advance(self.now())
                due = self._timers.next_due()
                timeout = TICK if due is None else min(TICK, self._clock.real_seconds_until(due))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
                self._wake.clear()
        finally:
            self._loop = self._wake = None
