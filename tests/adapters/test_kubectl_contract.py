"""The real kubectl (the reference client) against the sandbox's Kubernetes face.

Each test runs kubectl as a subprocess with an argument list and checks both what
kubectl prints (names, columns, messages) and the resulting state of the sandbox's
store. The sandbox runs at 20x speed so rollouts finish in a few seconds.
"""

from __future__ import annotations

import selectors
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from console.sandbox.server import ThreadedSandbox
from console.sandbox.world import World
from tests.conftest import require_real

pytestmark = pytest.mark.kubectl

KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
Manifest = dict[str, Any]


class Kubectl:
    """kubectl bound to one sandbox's kubeconfig and a private discovery cache."""

    def __init__(self, sandbox: ThreadedSandbox, tmp: Path) -> None:
        self.sandbox = sandbox
        self.kubeconfig = tmp / "kubeconfig"
        sandbox.write_kubeconfig(self.kubeconfig)
        self.base = [KUBECTL, "--kubeconfig", str(self.kubeconfig), "--cache-dir",
                     str(tmp / "cache")]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*self.base, *args], capture_output=True, text=True, timeout=60)
        if check:
            assert done.returncode == 0, done.stderr
        return done

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([*self.base, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def world(self, fn: Callable[[World], Any]) -> Any:
        return self.sandbox.call(fn)

    def wait_for(self, what: str, predicate: Callable[[World], bool],
                 timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.world(predicate):
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def kubectl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kubectl]:
    require_real("kubectl", shutil.which("kubectl") is not None, "kubectl is not on PATH")
    with ThreadedSandbox(seed=7, speed=20.0) as sandbox:
        yield Kubectl(sandbox, tmp_path_factory.mktemp("kubectl"))


# ------------------------------------------------------------------ finding objects


def items(world: World, kind: str, ns: str | None = None) -> list[Manifest]:
    return list(world.store.list(kind, ns))


def container_states(pod: Manifest) -> list[Manifest]:
    return [cs.get("state") or {} for cs in pod.get("status", {}).get("containerStatuses") or []]


def crash_looping(world: World) -> Manifest:
    for pod in items(world, "pods"):
        for state in container_states(pod):
            if (state.get("waiting") or {}).get("reason") == "CrashLoopBackOff":
                return pod
    for pod in items(world, "pods"):  # between back-offs the container may be running
        statuses = pod.get("status", {}).get("containerStatuses") or []
        if any(cs.get("restartCount", 0) >= 1 for cs in statuses):
            return pod
    raise AssertionError("the default world has no crash-looping pod")


def running_without_restarts(world: World) -> Manifest:
    for pod in items(world, "pods", "serving"):
        statuses = pod.get("status", {}).get("containerStatuses") or []
        if statuses and len(statuses) == 1 and all(
                "running" in (cs.get("state") or {}) and cs.get("ready")
                and cs.get("restartCount", 0) == 0 for cs in statuses):
            return pod
    raise AssertionError("no running pod without restarts in serving")


def requests_gpu(deployment: Manifest) -> bool:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return any(name.startswith("nvidia.com/")
               for c in containers
               for name in ((c.get("resources") or {}).get("requests") or {}))


def healthy_cpu_deployments(world: World) -> list[str]:
    names = []
    for d in items(world, "deployments"):
        status = d.get("status") or {}
        if (not requests_gpu(d) and d["spec"].get("replicas", 1) >= 1
                and status.get("readyReplicas", 0) == d["spec"].get("replicas", 1)
                and not d["spec"].get("paused")):
            names.append(f"{d['metadata']['namespace']}/{d['metadata']['name']}")
    return names


def revisions(world: World, ns: str, name: str) -> dict[int, Manifest]:
    deployment = world.store.get("deployments", ns, name)
    assert deployment is not None
    uid = deployment["metadata"]["uid"]
    found = {}
    for rs in items(world, "replicasets", ns):
        if any(ref.get("uid") == uid for ref in rs["metadata"].get("ownerReferences") or []):
            found[int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"])] = rs
    return found


def multi_revision_deployment(world: World) -> tuple[str, str]:
    for d in items(world, "deployments"):
        ns, name = d["metadata"]["namespace"], d["metadata"]["name"]
        if len(revisions(world, ns, name)) >= 3:
            return ns, name
    raise AssertionError("the default world has no deployment with three revisions")


def images(template: Manifest) -> list[str]:
    return [c["image"] for c in template["spec"]["containers"]]


def rollout_done(ns: str, name: str) -> Callable[[World], bool]:
    def done(world: World) -> bool:
        d = world.store.get("deployments", ns, name)
        assert d is not None
        status, want = d.get("status") or {}, d["spec"].get("replicas", 1)
        return (status.get("observedGeneration") == d["metadata"].get("generation")
                and status.get("updatedReplicas") == want
                and status.get("readyReplicas") == want
                and status.get("replicas") == want)

    return done


def table_rows(output: str) -> list[list[str]]:
    return [line.split() for line in output.strip().splitlines()]


# ------------------------------------------------------------------ reading


def test_get_across_namespaces_prints_every_kind_with_the_real_columns(kubectl):
    out = kubectl.run("get", "nodes,deploy,rs,pods", "-A").stdout
    blocks = [b.splitlines() for b in out.strip().split("\n\n")]
    headers = [block[0].split() for block in blocks]
    assert headers == [
        ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],  # nodes have no namespace
        ["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        ["NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"],
    ]
    printed = {line.split()[0 if kind == "node" else 1]
               for kind, block in zip(("node", "deploy", "rs", "pod"), blocks, strict=True)
               for line in block[1:]}
    nodes = kubectl.world(lambda w: [f"node/{n['metadata']['name']}"
                                     for n in items(w, "nodes")])
    deployments = kubectl.world(lambda w: [f"deployment.apps/{d['metadata']['name']}"
                                           for d in items(w, "deployments")])
    assert len(nodes) >= 12
    assert set(nodes) <= printed
    assert set(deployments) <= printed


def test_get_pod_as_yaml_prints_the_stored_manifest(kubectl):
    pod = kubectl.world(running_without_restarts)
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    printed = yaml.safe_load(kubectl.run("get", "pod", name, "-n", ns, "-o", "yaml").stdout)
    assert printed["kind"] == "Pod"
    assert printed["metadata"]["uid"] == pod["metadata"]["uid"]
    assert printed["spec"] == pod["spec"]


def test_get_pods_shows_the_crash_loop_and_its_restarts(kubectl):
    pod = kubectl.world(crash_looping)
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    row = kubectl.run("get", "pod", name, "-n", ns, "--no-headers").stdout.split()
    assert row[0] == name
    assert row[2] in ("CrashLoopBackOff", "Error", "Running")
    assert int(row[3]) >= 1


def test_logs_prints_the_containers_lines(kubectl):
    pod = kubectl.world(running_without_restarts)
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    out = kubectl.run("logs", name, "-n", ns, "--tail", "5").stdout.splitlines()
    container = pod["spec"]["containers"][0]["name"]
    known = kubectl.world(lambda w: {text for _, text in w.logs.lines(ns, name, container)})
    assert 0 < len(out) <= 5
    assert set(out) <= known


def test_logs_previous_prints_the_crashed_instance(kubectl):
    pod = kubectl.world(crash_looping)
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    container = pod["spec"]["containers"][0]["name"]
    before = kubectl.world(lambda w: w.logs.lines(ns, name, container, previous=True))
    out = kubectl.run("logs", name, "-n", ns, "-c", container, "--previous").stdout
    after = kubectl.world(lambda w: w.logs.lines(ns, name, container, previous=True))
    assert out
    assert out.splitlines() in ([t for _, t in before], [t for _, t in after])


def test_logs_previous_of_a_pod_that_never_restarted_is_refused(kubectl):
    pod = kubectl.world(running_without_restarts)
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    container = pod["spec"]["containers"][0]["name"]
    done = kubectl.run("logs", name, "-n", ns, "--previous", check=False)
    assert done.returncode == 1
    assert (f'previous terminated container "{container}" in pod "{name}" not found'
            in done.stderr)


def test_logs_follow_streams_new_lines(kubectl):
    pod = kubectl.world(running_without_restarts)
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    follower = kubectl.popen("logs", "-f", name, "-n", ns, "--tail", "0")
    assert follower.stdout is not None
    lines: list[str] = []
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(follower.stdout, selectors.EVENT_READ)
            deadline = time.monotonic() + 30
            while len(lines) < 3 and time.monotonic() < deadline:
                if sel.select(timeout=1):
                    lines.append(follower.stdout.readline())
    finally:
        follower.terminate()
        follower.wait(10)
    assert len(lines) == 3
    assert all(line.endswith("\n") and line.strip() for line in lines)


def test_get_events_lists_what_the_controllers_reported(kubectl):
    out = kubectl.run("get", "events", "-A").stdout
    rows = table_rows(out)
    assert rows[0] == ["NAMESPACE", "LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    reasons = {row[3] for row in rows[1:]}
    assert reasons & {"Scheduled", "Started", "Pulled", "Created", "ScalingReplicaSet"}


# ------------------------------------------------------------------ changing


def test_scale_gives_the_deployment_three_ready_replicas(kubectl):
    ns, name = kubectl.world(healthy_cpu_deployments)[0].split("/")
    out = kubectl.run("scale", f"deploy/{name}", "-n", ns, "--replicas", "3").stdout
    assert out.strip() == f"deployment.apps/{name} scaled"
    assert kubectl.world(lambda w: w.store.get("deployments", ns, name)["spec"]["replicas"]) == 3
    kubectl.wait_for(f"{name} to have 3 ready replicas", rollout_done(ns, name))
    row = kubectl.run("get", "deploy", name, "-n", ns, "--no-headers").stdout.split()
    assert row[1:4] == ["3/3", "3", "3"]


def test_scale_to_a_negative_count_is_refused_by_kubectl_itself(kubectl):
    ns, name = kubectl.world(healthy_cpu_deployments)[-1].split("/")
    done = kubectl.run("scale", f"deploy/{name}", "-n", ns, "--replicas", "-1", check=False)
    assert done.returncode == 1
    assert "must be greater than or equal to 0" in done.stderr


def test_rollout_history_lists_the_revisions_the_replicasets_carry(kubectl):
    ns, name = kubectl.world(multi_revision_deployment)
    out = kubectl.run("rollout", "history", f"deploy/{name}", "-n", ns).stdout
    lines = out.strip().splitlines()
    assert lines[0].strip() == f"deployment.apps/{name}"
    assert lines[1].split() == ["REVISION", "CHANGE-CAUSE"]
    printed = [int(line.split()[0]) for line in lines[2:]]
    assert printed == sorted(kubectl.world(lambda w: revisions(w, ns, name)))


def test_rollout_undo_and_to_revision_restore_old_templates(kubectl):
    ns, name = kubectl.world(multi_revision_deployment)
    history = kubectl.world(lambda w: revisions(w, ns, name))
    latest, previous, oldest = max(history), sorted(history)[-2], min(history)
    out = kubectl.run("rollout", "undo", f"deploy/{name}", "-n", ns).stdout
    assert out.strip() == f"deployment.apps/{name} rolled back"
    kubectl.wait_for(f"{name} to roll back", rollout_done(ns, name))
    after = kubectl.world(lambda w: revisions(w, ns, name))
    reused = after[latest + 1]  # the old ReplicaSet, moved to the next revision
    assert reused["metadata"]["name"] == history[previous]["metadata"]["name"]
    assert previous not in after
    deployment = kubectl.world(lambda w: w.store.get("deployments", ns, name))
    assert images(deployment["spec"]["template"]) == images(history[previous]["spec"]["template"])

    out = kubectl.run("rollout", "undo", f"deploy/{name}", "-n", ns,
                      f"--to-revision={oldest}").stdout
    assert out.strip() == f"deployment.apps/{name} rolled back"
    kubectl.wait_for(f"{name} to roll back to revision {oldest}", rollout_done(ns, name))
    deployment = kubectl.world(lambda w: w.store.get("deployments", ns, name))
    assert images(deployment["spec"]["template"]) == images(history[oldest]["spec"]["template"])
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == str(
        latest + 2)


def test_rollout_undo_to_a_missing_revision_is_refused(kubectl):
    ns, name = kubectl.world(multi_revision_deployment)
    done = kubectl.run("rollout", "undo", f"deploy/{name}", "-n", ns, "--to-revision=99",
                       check=False)
    assert done.returncode == 1
    assert "unable to find specified revision 99 in history" in done.stderr


def test_rollout_restart_rolls_out_a_new_replicaset(kubectl):
    ns, name = kubectl.world(healthy_cpu_deployments)[1].split("/")
    before = kubectl.world(lambda w: max(revisions(w, ns, name)))
    out = kubectl.run("rollout", "restart", f"deploy/{name}", "-n", ns).stdout
    assert out.strip() == f"deployment.apps/{name} restarted"
    deployment = kubectl.world(lambda w: w.store.get("deployments", ns, name))
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert "kubectl.kubernetes.io/restartedAt" in annotations
    status = kubectl.run("rollout", "status", f"deploy/{name}", "-n", ns, "--timeout", "60s")
    assert f'deployment "{name}" successfully rolled out' in status.stdout
    assert kubectl.world(lambda w: max(revisions(w, ns, name))) == before + 1
