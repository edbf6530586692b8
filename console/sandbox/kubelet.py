"""The sandbox's kubelets: run the containers of pods bound to nodes.

For each bound pod the kubelet pulls the images (quickly when the node already
has them), creates and starts the containers, marks them ready after the image's
start-up time, and kills them as their image profile says: a ``crashloop`` image
exits with code 1 (reason Error), an ``oom`` image is OOMKilled (exit code 137).
A dead container is restarted (restartPolicy Always/OnFailure) after a back-off of
10 s doubling to 300 s, spent in ``CrashLoopBackOff`` with ``lastState.terminated``
and a rising ``restartCount``; with restartPolicy Never the pod fails. Every step
writes the pod's status as the real kubelet would, records Events and starts or
stops the container's log instance.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from console.sandbox.catalog import profile_for
from console.sandbox.clock import Timers
from console.sandbox.events import EventRecorder
from console.sandbox.kubestatus import PodRun, RunningContainer, pod_status
from console.sandbox.logs import LogSource
from console.sandbox.objects import is_terminal, skipping_malformed
from console.sandbox.store import Change, Manifest, ObjectStore

PodKey = tuple[str, str]
BACKOFF_START, BACKOFF_MAX = 10.0, 300.0
PULL_BYTES_PER_S = 250_000_000


@dataclass(slots=True)
class _Node:
    ip: str
    cidr_prefix: str = "10.244.0"
    images: set[str] = field(default_factory=set)
    next_ip: int = 2


class Kubelet:
    """Runs pods on every node of the store; see the module docstring."""

    def __init__(
        self,
        store: ObjectStore,
        events: EventRecorder,
        logs: LogSource,
        timers: Timers,
        now: Callable[[], float],
    ) -> None:
        self._store = store
        self._events = events
        self._logs = logs
        self._timers = timers
        self._now = now
        self._nodes: dict[str, _Node] = {}
        self._runs: dict[PodKey, PodRun] = {}
        self._admit: set[PodKey] = set()

    @property
    def pending(self) -> bool:
        """Whether bound pods are waiting to be admitted."""
        return bool(self._admit)

    def notice(self, kind: str, change: Change) -> None:
        """Learn node addresses, admit newly bound pods, clean up deleted ones."""
        if kind == "nodes" and change.type != "DELETED":
            name = change.obj["metadata"]["name"]
            ip = next((a["address"] for a in change.obj.get("status", {}).get("addresses", ())
                       if a.get("type") == "InternalIP"), "10.0.0.1")
            cidr = change.obj["spec"].get("podCIDR", "10.244.0.0/24")
            node = self._nodes.setdefault(name, _Node(ip))
            node.ip, node.cidr_prefix = ip, cidr.rsplit(".", 1)[0]
        if kind != "pods":
            return
        pod = change.obj
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        run = self._runs.get(key)
        if change.type == "DELETED":
            self._admit.discard(key)
            if run is not None and run.uid == pod["metadata"]["uid"]:
                self._kill(pod, run)
        elif (run is None or run.uid != pod["metadata"]["uid"]) and (
            pod["spec"].get("nodeName") and not is_terminal(pod)
        ):
            self._admit.add(key)

    def reconcile(self) -> None:
        """Admit every pod bound since the last reconcile, in name order."""
        admit, self._admit = sorted(self._admit), set()
        for key in admit:
            pod = self._store.get("pods", *key)
            if pod is not None and pod["spec"].get("nodeName") and key not in self._runs:
                with skipping_malformed("pod", key):
                    self._store.update("pods", self.admit(pod))

    # ------------------------------------------------------------ lifecycle

    def admit(self, pod: Manifest) -> Manifest:
        """Take a pod just bound to its node: start its containers at once where
        the node has the image, pull the others, and return the pod with the
        status to write. (The scheduler calls this as it binds, so a pod whose
        images are cached goes from unbound to running in one write.)"""
        meta, spec = pod["metadata"], pod["spec"]
        node = self._nodes.setdefault(spec["nodeName"], _Node("10.0.0.1"))
        now = self._now()
        containers = [
            RunningContainer(c["name"], c["image"], profile_for(c["image"]), _model(c))
            for c in spec.get("containers", ())
        ]
        run = PodRun(
            uid=meta["uid"], node=spec["nodeName"], host_ip=node.ip,
            pod_ip=f"{node.cidr_prefix}.{node.next_ip}", start_time=now,
            restart_policy=spec.get("restartPolicy", "Always"), containers=containers,
        )
        node.next_ip = node.next_ip % 253 + 2
        self._runs[(meta["namespace"], meta["name"])] = run
        self._logs.register(meta["namespace"], meta["name"], [c.name for c in containers])
        for c in containers:
            delay = self._pull(pod, run, c, node)
            if delay:
                self._after(delay, pod, run, self._starter(c))
            else:
                self._begin(pod, run, c)
        return {**pod, "status": pod_status(pod, run, now)}

    def _pull(self, pod: Manifest, run: PodRun, c: RunningContainer, node: _Node) -> float:
        """Record the pull of ``c``'s image; returns how long it takes (0 if cached)."""
        path = f"spec.containers{{{c.name}}}"
        if c.image in node.images:
            self._events.record(pod, "Normal", "Pulled",
                                f'Container image "{c.image}" already present on machine',
                                component="kubelet", host=run.node, field_path=path)
            return 0.0
        node.images.add(c.image)
        seconds = 1.0 + c.profile.size_bytes / PULL_BYTES_PER_S
        self._events.record(pod, "Normal", "Pulling", f'Pulling image "{c.image}"',
                            component="kubelet", host=run.node, field_path=path)
        self._events.record(
            pod, "Normal", "Pulled",
            f'Successfully pulled image "{c.image}" in {seconds:.3f}s ({seconds:.3f}s including '
            f"waiting). Image size: {c.profile.size_bytes} bytes.",
            component="kubelet", host=run.node, field_path=path,
        )
        return seconds

    def _starter(self, c: RunningContainer) -> Callable[[Manifest, PodRun], None]:
        """An action that runs a new instance of ``c``."""
        return lambda pod, run: self._run_container(pod, run, c)

    def _run_container(self, pod: Manifest, run: PodRun, c: RunningContainer) -> None:
        if c.restarts:
            self._events.record(pod, "Normal", "Pulled",
                                f'Container image "{c.image}" already present on machine',
                                component="kubelet", host=run.node,
                                field_path=f"spec.containers{{{c.name}}}")
        self._begin(pod, run, c)
        self._write(pod, run)

    def _begin(self, pod: Manifest, run: PodRun, c: RunningContainer) -> None:
        """Create and start a new instance of ``c`` and arm its ready/exit timers."""
        now = self._now()
        meta = pod["metadata"]
        c.begin(now, hashlib.sha256(f"{run.uid}/{c.name}/{c.restarts}".encode()).hexdigest())
        for reason in ("Created", "Started"):
            self._events.record(pod, "Normal", reason, f"{reason} container {c.name}",
                                component="kubelet", host=run.node,
                                field_path=f"spec.containers{{{c.name}}}")
        self._logs.start(meta["namespace"], meta["name"], c.name, c.profile, model=c.model, at=now)
        c.ready = c.profile.startup_s <= 0 and c.profile.crash_after_s > 0
        cid = c.container_id
        if c.profile.crash:
            self._after(c.profile.crash_after_s, pod, run, lambda p, r: self._exit(p, r, c, cid))
        dies_first = c.profile.crash is not None and c.profile.crash_after_s <= c.profile.startup_s
        if not c.ready and not dies_first:
            self._after(c.profile.startup_s, pod, run, lambda p, r: self._ready(p, r, c, cid))

    def _ready(self, pod: Manifest, run: PodRun, c: RunningContainer, cid: str) -> None:
        if c.state == "running" and c.container_id == cid:
            c.ready = True
            self._write(pod, run)

    def _exit(self, pod: Manifest, run: PodRun, c: RunningContainer, cid: str) -> None:
        if c.state != "running" or c.container_id != cid:
            return
        now = self._now()
        meta = pod["metadata"]
        oom = c.profile.crash == "oom"
        self._logs.stop(meta["namespace"], meta["name"], c.name, at=now,
                        cause="oom" if oom else "crashloop")
        c.terminate(now, exit_code=137 if oom else 1, reason="OOMKilled" if oom else "Error")
        if run.restart_policy == "Never":
            self._write(pod, run)
            return
        delay = min(BACKOFF_START * 2 ** (c.crashes - 1), BACKOFF_MAX)
        c.back_off(delay, f"{meta['name']}_{meta['namespace']}({run.uid})")
        self._events.record(
            pod, "Warning", "BackOff",
            f"Back-off restarting failed container {c.name} in pod "
            f"{meta['name']}_{meta['namespace']}({run.uid})",
            component="kubelet", host=run.node, field_path=f"spec.containers{{{c.name}}}",
        )
        self._write(pod, run)
        self._after(delay, pod, run, self._starter(c))

    def _kill(self, pod: Manifest, run: PodRun) -> None:
        meta = pod["metadata"]
        del self._runs[(meta["namespace"], meta["name"])]
        for c in run.containers:
            if c.state == "running":
                self._events.record(pod, "Normal", "Killing", f"Stopping container {c.name}",
                                    component="kubelet", host=run.node,
                                    field_path=f"spec.containers{{{c.name}}}")
        self._logs.forget(meta["namespace"], meta["name"])

    # ------------------------------------------------------------ plumbing

    def _after(
        self, delay: float, pod: Manifest, run: PodRun,
        action: Callable[[Manifest, PodRun], None],
    ) -> None:
        """Run ``action(current pod, run)`` after ``delay`` simulated seconds, unless
        the pod is gone or was replaced by then."""
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])

        def fire() -> None:
            current = self._store.get("pods", *key)
            if self._runs.get(key) is run and current is not None:
                action(current, run)

        self._timers.at(self._now() + delay, fire)

    def _write(self, pod: Manifest, run: PodRun) -> None:
        current = self._store.get("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])
        if current is None:
            return
        status = pod_status(current, run, self._now())
        if status != current.get("status"):
            self._store.update("pods", {**current, "status": status})


def _model(container: Manifest) -> str:
    """The model a container serves: its ``--model``/``--model-id`` argument, else its name."""
    args = [*container.get("command", ()), *container.get("args", ())]
    for i, arg in enumerate(args):
        flag, _, value = arg.partition("=")
        if flag in ("--model", "--model-id"):
            if value:
                return str(value)
            if i + 1 < len(args):
                return str(args[i + 1])
    return str(container["name"])
