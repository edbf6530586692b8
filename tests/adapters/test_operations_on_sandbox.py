"""The operations pipeline over the real Kubernetes adapter and the sandbox's API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.base import Kind
from adapters.kubernetes import KubernetesAdapter
from console.actions import Operation
from console.audit import AuditLog, read_records
from console.models import Deployment, ReplicaSet
from console.operations import Operations, Refused
from console.rollout import pod_template, revisions, template_diff
from tests.adapters.kube_support import create, deployment, patch, rolled_out_twice


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


def service(kube: KubernetesAdapter, audit_path: Path) -> Operations:
    return Operations(kube, AuditLog(audit_path), context=kube.context, read_only=False,
                      protected=False, max_replicas=100)  # fmt: skip


async def test_a_preview_dry_runs_on_the_server_and_leaves_the_deployment_unchanged(
    kube: KubernetesAdapter, ns: str, audit_path: Path
) -> None:
    await create(kube, Kind.DEPLOYMENT, ns, deployment("web", "registry.local/test/app:1"))
    preview = await service(kube, audit_path).preview(Operation.scale(kube.context, ns, "web", 4))
    assert "-  replicas: 1\n+  replicas: 4\n" in preview.diff
    assert preview.kubectl[-3:] == ["scale", "deployment/web", "--replicas=4"]
    stored = await kube.get_manifest(Kind.DEPLOYMENT, ns, "web")
    assert stored["spec"]["replicas"] == 1
    assert not audit_path.exists()


async def test_a_scale_is_applied_and_audited_as_intent_then_outcome(
    kube: KubernetesAdapter, ns: str, audit_path: Path
) -> None:
    await create(kube, Kind.DEPLOYMENT, ns, deployment("web", "registry.local/test/app:1"))
    outcome = await service(kube, audit_path).execute(Operation.scale(kube.context, ns, "web", 2))
    assert outcome.ok, outcome.message
    stored = await kube.get_manifest(Kind.DEPLOYMENT, ns, "web")
    assert stored["spec"]["replicas"] == 2
    intent, done = read_records(audit_path)
    assert (intent.phase, done.phase, done.result) == ("intent", "outcome", "ok")
    assert (done.namespace, done.name, done.params) == (ns, "web", {"replicas": 2})


async def test_a_rollback_restores_the_previous_template(
    kube: KubernetesAdapter, ns: str, audit_path: Path
) -> None:
    await rolled_out_twice(kube, ns, "web")
    listed = await kube.list(Kind.REPLICASET, ns)
    [current] = [
        d for d in (await kube.list(Kind.DEPLOYMENT, ns)).items if isinstance(d, Deployment)
    ]
    history = revisions(current, [rs for rs in listed.items if isinstance(rs, ReplicaSet)])
    assert [(i.revision, i.current) for i in history] == [(2, True), (1, False)]
    old = await kube.get_manifest(Kind.REPLICASET, ns, history[1].rs_name)
    now = await kube.get_manifest(Kind.DEPLOYMENT, ns, "web")
    assert "+  - image: registry.local/test/app:1" in template_diff(
        pod_template(now), pod_template(old)
    )
    ops = service(kube, audit_path)
    preview = await ops.preview(Operation.rollback(kube.context, ns, "web", 1))
    assert "+      - image: registry.local/test/app:1" in preview.diff
    outcome = await ops.execute(Operation.rollback(kube.context, ns, "web", 1))
    assert outcome.ok, outcome.message
    stored = await kube.get_manifest(Kind.DEPLOYMENT, ns, "web")
    assert stored["spec"]["template"]["spec"]["containers"][0]["image"].endswith("app:1")


async def test_a_paused_deployment_is_not_rolled_back(
    kube: KubernetesAdapter, ns: str, audit_path: Path
) -> None:
    await rolled_out_twice(kube, ns, "web")
    await patch(kube, Kind.DEPLOYMENT, ns, "web", {"spec": {"paused": True}})
    with pytest.raises(Refused, match="paused"):
        await service(kube, audit_path).execute(Operation.rollback(kube.context, ns, "web", 1))
    assert not audit_path.exists()


async def test_rolling_back_the_worlds_bad_release_restores_the_good_image(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    config = tmp_path / "kubeconfig"
    fresh_sandbox.write_kubeconfig(config)
    kube = KubernetesAdapter(kubeconfig=str(config), request_timeout=5.0)
    await kube.connect()
    try:
        before = await kube.get_manifest(Kind.DEPLOYMENT, "serving", "mistral-7b-chat")
        ops = service(kube, tmp_path / "audit.jsonl")
        op = Operation.rollback(kube.context, "serving", "mistral-7b-chat")
        preview = await ops.preview(op)
        outcome = await ops.execute(op)
        after = await kube.get_manifest(Kind.DEPLOYMENT, "serving", "mistral-7b-chat")
    finally:
        await kube.close()
    assert outcome.ok, outcome.message
    old, new = (m["spec"]["template"]["spec"]["containers"][0]["image"] for m in (before, after))
    assert old != new
    assert f"+        image: {new}" in preview.diff
