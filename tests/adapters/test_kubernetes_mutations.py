"""The Kubernetes kube's mutations against the sandbox: scale, rollback, restart,
delete and cordon, each with its dry run and its refusals — and, with kubectl as
the reference client, the same resulting objects as kubectl's own commands."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.base import Conflict, InvalidRequest, Kind, NotFound
from adapters.kube_errors import Operation
from adapters.kube_mutations import plan_rollback
from adapters.kube_paths import object_path
from adapters.kubernetes import KubernetesAdapter
from tests.adapters.kube_support import (
    create,
    deployment,
    eventually,
    patch,
    pod,
    revisions,
    rolled_out_twice,
    unique,
)
from tests.conftest import require_real

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


def image_of(manifest: Mapping[str, Any]) -> str:
    return str(manifest["spec"]["template"]["spec"]["containers"][0]["image"])


async def test_scale_patches_the_scale_subresource_and_returns_before_and_after(
    kube: KubernetesAdapter, ns: str
) -> None:
    await create(kube, Kind.DEPLOYMENT, ns, deployment("web", "registry.local/test/app:1"))
    result = await kube.scale(ns, "web", 3)
    assert not result.dry_run
    assert (result.before["spec"]["replicas"], result.after["spec"]["replicas"]) == (1, 3)
    assert result.message == "deployment.apps/web scaled"
    assert "managedFields" not in result.after["metadata"]
    stored = await kube.get_manifest(Kind.DEPLOYMENT, ns, "web")
    assert stored["spec"]["replicas"] == 3


async def test_a_dry_run_scale_previews_without_changing_anything(
    kube: KubernetesAdapter, ns: str
) -> None:
    await create(kube, Kind.DEPLOYMENT, ns, deployment("web", "registry.local/test/app:1"))
    result = await kube.scale(ns, "web", 7, dry_run=True)
    assert result.dry_run
    assert result.after["spec"]["replicas"] == 7
    assert result.message == "deployment.apps/web scaled (server dry run)"
    stored = await kube.get_manifest(Kind.DEPLOYMENT, ns, "web")
    assert stored["spec"]["replicas"] == 1


async def test_scaling_to_a_negative_count_is_an_invalid_request(
    kube: KubernetesAdapter, ns: str
) -> None:
    await create(kube, Kind.DEPLOYMENT, ns, deployment("web", "registry.local/test/app:1"))
    with pytest.raises(InvalidRequest, match="must be greater than or equal to 0"):
        await kube.scale(ns, "web", -1)


async def test_scaling_a_missing_deployment_is_not_found(kube: KubernetesAdapter, ns: str) -> None:
    with pytest.raises(NotFound):
        await kube.scale(ns, "ghost", 2)


async def test_rollback_restores_the_previous_template(kube: KubernetesAdapter, ns: str) -> None:
    await rolled_out_twice(kube, ns, "web")
    preview = await kube.rollback(ns, "web", dry_run=True)
    assert (image_of(preview.before), image_of(preview.after)) == (
        "registry.local/test/app:2",
        "registry.local/test/app:1",
    )
    assert image_of(await kube.get_manifest(Kind.DEPLOYMENT, ns, "web")).endswith(":2")
    result = await kube.rollback(ns, "web")
    assert result.message == "deployment.apps/web rolled back"
    assert image_of(result.after) == "registry.local/test/app:1"
    assert "pod-template-hash" not in result.after["spec"]["template"]["metadata"]["labels"]
    assert result.after["metadata"]["annotations"]["team"] == "tests"
    await eventually(lambda: revisions(kube, ns, "web"), lambda r: r == {2, 3})


async def test_rollback_refuses_a_paused_deployment_with_a_conflict(
    kube: KubernetesAdapter, ns: str
) -> None:
    await rolled_out_twice(kube, ns, "web")
    await patch(kube, Kind.DEPLOYMENT, ns, "web", {"spec": {"paused": True}})
    with pytest.raises(Conflict, match="you cannot rollback a paused deployment"):
        await kube.rollback(ns, "web")


async def test_rollback_to_an_unknown_or_the_current_revision_is_refused(
    kube: KubernetesAdapter, ns: str
) -> None:
    await rolled_out_twice(kube, ns, "web")
    with pytest.raises(NotFound, match="unable to find specified revision 9 in history"):
        await kube.rollback(ns, "web", 9)
    with pytest.raises(InvalidRequest, match="current template already matches revision 2"):
        await kube.rollback(ns, "web", 2)


async def test_restart_stamps_the_pod_template_and_its_dry_run_persists_nothing(
    kube: KubernetesAdapter, ns: str
) -> None:
    await create(kube, Kind.DEPLOYMENT, ns, deployment("web", "registry.local/test/app:1"))
    preview = await kube.restart(ns, "web", dry_run=True)
    assert RESTARTED_AT in preview.after["spec"]["template"]["metadata"]["annotations"]
    stored = await kube.get_manifest(Kind.DEPLOYMENT, ns, "web")
    assert RESTARTED_AT not in (stored["spec"]["template"]["metadata"].get("annotations") or {})
    result = await kube.restart(ns, "web")
    stamp = datetime.fromisoformat(
        result.after["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT]
    )
    assert abs(datetime.now(UTC) - stamp) < timedelta(minutes=1)
    assert result.message == "deployment.apps/web restarted"


async def test_deleting_a_pod_dry_run_keeps_it_and_a_real_delete_removes_it(
    kube: KubernetesAdapter, ns: str
) -> None:
    await create(kube, Kind.POD, ns, pod("doomed"))
    preview = await kube.delete_pod(ns, "doomed", dry_run=True)
    assert preview.before["metadata"]["name"] == "doomed"
    assert (await kube.get_manifest(Kind.POD, ns, "doomed"))["metadata"]["name"] == "doomed"
    await kube.delete_pod(ns, "doomed")

    async def still_there() -> bool:
        try:
            manifest = await kube.get_manifest(Kind.POD, ns, "doomed")
        except NotFound:
            return False
        return "deletionTimestamp" not in manifest["metadata"]

    await eventually(still_there, lambda present: not present)
    with pytest.raises(NotFound):
        await kube.delete_pod(ns, "never-was")


async def test_cordon_and_uncordon_toggle_unschedulable_and_leave_a_cordoned_node_alone(
    kube: KubernetesAdapter,
) -> None:
    name = unique("spare-node")
    await create(kube, Kind.NODE, None, {"metadata": {"name": name}, "spec": {}})
    cordoned = await kube.cordon(name, True)
    assert cordoned.after["spec"]["unschedulable"] is True
    assert cordoned.message == f"node/{name} cordoned"
    again = await kube.cordon(name, True)
    assert again.message == f"node/{name} already cordoned"
    assert again.before is again.after
    uncordoned = await kube.cordon(name, False)
    assert "unschedulable" not in uncordoned.after["spec"]
    preview = await kube.cordon(name, True, dry_run=True)
    assert preview.after["spec"]["unschedulable"] is True
    assert "unschedulable" not in (await kube.get_manifest(Kind.NODE, None, name))["spec"]


# ------------------------------------------------------------------ kubectl agreement


def kubectl(config: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["kubectl", "--kubeconfig", config, *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def comparable(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a rollback decides: the pod template and the annotations."""
    return {
        "template": manifest["spec"]["template"],
        "annotations": manifest["metadata"]["annotations"],
    }


@pytest.mark.kubectl
async def test_rollback_leaves_the_same_deployment_as_kubectl_rollout_undo(
    kube: KubernetesAdapter, ns: str, kube_config: str
) -> None:
    require_real("kubectl", shutil.which("kubectl") is not None, "kubectl is not on PATH")
    await rolled_out_twice(kube, ns, "ours")
    await rolled_out_twice(kube, ns, "theirs")
    await kube.rollback(ns, "ours")
    done = await asyncio.to_thread(
        kubectl, kube_config, "-n", ns, "rollout", "undo", "deployment/theirs"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "deployment.apps/theirs rolled back"
    ours = await kube.get_manifest(Kind.DEPLOYMENT, ns, "ours")
    theirs = await kube.get_manifest(Kind.DEPLOYMENT, ns, "theirs")
    renamed = json.loads(json.dumps(comparable(theirs)).replace("theirs", "ours"))
    assert comparable(ours) == renamed
    assert image_of(ours) == "registry.local/test/app:1"
    assert ours["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


@pytest.mark.kubectl
async def test_a_paused_rollback_is_refused_with_kubectls_own_words(
    kube: KubernetesAdapter, ns: str, kube_config: str
) -> None:
    require_real("kubectl", shutil.which("kubectl") is not None, "kubectl is not on PATH")
    await rolled_out_twice(kube, ns, "web")
    await patch(kube, Kind.DEPLOYMENT, ns, "web", {"spec": {"paused": True}})
    done = await asyncio.to_thread(
        kubectl, kube_config, "-n", ns, "rollout", "undo", "deployment/web"
    )
    with pytest.raises(Conflict) as caught:
        await kube.rollback(ns, "web")
    assert done.returncode != 0
    assert done.stderr.strip() == f"error: {caught.value.detail}"


@pytest.mark.kubectl
async def test_scale_leaves_the_same_deployment_as_kubectl_scale(
    kube: KubernetesAdapter, ns: str, kube_config: str
) -> None:
    require_real("kubectl", shutil.which("kubectl") is not None, "kubectl is not on PATH")
    for name in ("ours", "theirs"):
        await create(kube, Kind.DEPLOYMENT, ns, deployment(name, "registry.local/test/app:1"))
    await kube.scale(ns, "ours", 4)
    done = await asyncio.to_thread(
        kubectl, kube_config, "-n", ns, "scale", "deployment/theirs", "--replicas=4"
    )
    assert done.returncode == 0, done.stderr
    ours = await kube.get_manifest(Kind.DEPLOYMENT, ns, "ours")
    theirs = await kube.get_manifest(Kind.DEPLOYMENT, ns, "theirs")
    assert ours["spec"]["replicas"] == theirs["spec"]["replicas"] == 4
    assert ours["metadata"]["generation"] == theirs["metadata"]["generation"]


async def test_rollback_of_a_deployment_changed_meanwhile_is_a_conflict(
    kube: KubernetesAdapter, ns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await rolled_out_twice(kube, ns, "web")

    def plan_then_someone_else_edits(*args: Any) -> list[dict[str, Any]]:
        ops = plan_rollback(*args)
        other = Operation("patch", "deployments", ns, "web")
        body = {"metadata": {"annotations": {"edited-by": "someone-else"}}}
        kube.transport.fetch_json(
            "PATCH",
            object_path(Kind.DEPLOYMENT, ns, "web"),
            other,
            body=body,
            content_type="application/merge-patch+json",
            timeout=5.0,
        )
        return ops

    monkeypatch.setattr("adapters.kube_writes.plan_rollback", plan_then_someone_else_edits)
    with pytest.raises(Conflict, match="changed while rolling back"):
        await kube.rollback(ns, "web")
    assert image_of(await kube.get_manifest(Kind.DEPLOYMENT, ns, "web")).endswith(":2")
