"""Every mutation goes through Operations: refuse, validate, dry-run, audit, explain."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any, cast

import pytest

from adapters.base import (
    AdapterError,
    ClusterAdapter,
    Conflict,
    Forbidden,
    InvalidRequest,
    Kind,
    MutationResult,
    Timeout,
)
from console.actions import Action, Operation, kubectl_command, kubectl_command_line
from console.audit import AuditLog, read_records
from console.models import Hpa
from console.operations import OperationFailed, Operations, Refused
from console.validation import ValidationError


class FakeCluster:
    """A test double of the mutation half of ClusterAdapter: one deployment, one pod."""

    def __init__(self, audit_path: Path) -> None:
        self.audit_path = audit_path
        self.calls: list[tuple[str, bool]] = []
        self.audit_seen_at_call: list[list[str]] = []
        self.fail: BaseException | None = None
        self.deployment: dict[str, Any] = {
            "metadata": {"name": "llama", "namespace": "serving", "resourceVersion": "10",
                         "managedFields": [{"manager": "kubectl"}]},
            "spec": {"replicas": 2, "paused": False},
            "status": {"replicas": 2},
        }  # fmt: skip
        self.pod: dict[str, Any] = {"metadata": {"name": "llama-0", "namespace": "serving"}}

    async def get_manifest(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any]:
        return copy.deepcopy(self.deployment)

    async def _mutate(self, what: str, dry_run: bool, change: dict[str, Any]) -> MutationResult:
        self.calls.append((what, dry_run))
        if not dry_run:
            self.audit_seen_at_call.append([r.phase for r in read_records(self.audit_path)])
        if self.fail is not None:
            raise self.fail
        before = copy.deepcopy(self.deployment)
        after = copy.deepcopy(before)
        after["spec"].update(change)
        after["metadata"]["resourceVersion"] = "11"
        return MutationResult(dry_run=dry_run, before=before, after=after)

    async def scale(
        self, ns: str, name: str, replicas: int, *, dry_run: bool = False
    ) -> MutationResult:
        return await self._mutate(f"scale {ns}/{name} {replicas}", dry_run, {"replicas": replicas})

    async def rollback(
        self, ns: str, name: str, to_revision: int = 0, *, dry_run: bool = False
    ) -> MutationResult:
        return await self._mutate(f"rollback {ns}/{name} {to_revision}", dry_run, {})

    async def delete_pod(self, ns: str, name: str, *, dry_run: bool = False) -> MutationResult:
        self.calls.append((f"delete {ns}/{name}", dry_run))
        return MutationResult(dry_run=dry_run, before=self.pod, after={})


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


@pytest.fixture
def cluster(audit_path: Path) -> FakeCluster:
    return FakeCluster(audit_path)


def operations(
    cluster: FakeCluster, audit_path: Path, *, read_only: bool = False, protected: bool = False
) -> Operations:
    return Operations(
        cast(ClusterAdapter, cluster), AuditLog(audit_path), context="prod",
        read_only=read_only, protected=protected, max_replicas=100,
    )  # fmt: skip


SCALE = Operation.scale("prod", "serving", "llama", 3)


# ----------------------------------------------------------------- refusals


async def test_read_only_refuses_with_the_reason_and_calls_nothing(
    cluster: FakeCluster, audit_path: Path
) -> None:
    ops = operations(cluster, audit_path, read_only=True)
    assert ops.refusal(Action.SCALE) is not None
    for attempt in (ops.preview, ops.execute):
        with pytest.raises(Refused, match="context prod is read-only"):
            await attempt(SCALE)
    assert cluster.calls == []
    assert not audit_path.exists()


async def test_an_operation_prepared_for_another_context_is_refused(
    cluster: FakeCluster, audit_path: Path
) -> None:
    with pytest.raises(Refused, match="prepared for context staging"):
        await operations(cluster, audit_path).execute(Operation.restart("staging", "serving", "x"))
    assert cluster.calls == []


async def test_a_negative_replica_count_is_refused_before_the_dry_run(
    cluster: FakeCluster, audit_path: Path
) -> None:
    with pytest.raises(ValidationError, match=r"replicas cannot be negative \(got -1\)"):
        await operations(cluster, audit_path).preview(Operation.scale("prod", "serving", "l", -1))
    assert cluster.calls == []


async def test_a_paused_deployment_refuses_restart_too(
    cluster: FakeCluster, audit_path: Path
) -> None:
    cluster.deployment["spec"]["paused"] = True
    with pytest.raises(Refused, match="a paused deployment cannot be restarted"):
        await operations(cluster, audit_path).preview(Operation.restart("prod", "serving", "llama"))


async def test_rollback_refuses_a_paused_deployment_with_the_way_out(
    cluster: FakeCluster, audit_path: Path
) -> None:
    cluster.deployment["spec"]["paused"] = True
    with pytest.raises(Refused) as caught:
        await operations(cluster, audit_path).execute(
            Operation.rollback("prod", "serving", "llama")
        )
    assert "paused" in caught.value.message
    assert "kubectl rollout resume deployment/llama" in caught.value.message
    assert cluster.calls == []
    assert not audit_path.exists()


# ----------------------------------------------------------------- preview


async def test_preview_dry_runs_and_shows_the_diff_without_bookkeeping(
    cluster: FakeCluster, audit_path: Path
) -> None:
    preview = await operations(cluster, audit_path).preview(SCALE)
    assert cluster.calls == [("scale serving/llama 3", True)]
    assert "-  replicas: 2\n+  replicas: 3\n" in preview.diff
    assert "managedFields" not in preview.diff and "resourceVersion" not in preview.diff
    assert "status" not in preview.diff
    assert preview.summary == "scale deployment serving/llama to 3 replicas (now 2)"
    assert preview.kubectl_line == (
        "kubectl --context prod -n serving scale deployment/llama --replicas=3"
    )
    assert preview.confirm_phrase is None and preview.confirmed_by("")


async def test_a_protected_context_asks_for_the_objects_name(
    cluster: FakeCluster, audit_path: Path
) -> None:
    preview = await operations(cluster, audit_path, protected=True).preview(SCALE)
    assert preview.confirm_phrase == "llama"
    assert not preview.confirmed_by("yes")
    assert preview.confirmed_by(" llama ")


async def test_preview_warns_when_an_hpa_owns_the_replica_count(
    cluster: FakeCluster, audit_path: Path
) -> None:
    hpa = Hpa(namespace="serving", name="llama-hpa", target_kind="Deployment",
              target_name="llama", max_replicas=9)
    preview = await operations(cluster, audit_path).preview(SCALE, hpas=[hpa])
    assert any("HorizontalPodAutoscaler llama-hpa owns" in w for w in preview.warnings)


async def test_preview_warns_that_deleting_an_unowned_pod_replaces_nothing(
    cluster: FakeCluster, audit_path: Path
) -> None:
    preview = await operations(cluster, audit_path).preview(
        Operation.delete_pod("prod", "serving", "llama-0")
    )
    assert preview.warnings == ("pod serving/llama-0 has no controller; nothing will replace it",)


async def test_a_forbidden_dry_run_says_what_is_not_allowed(
    cluster: FakeCluster, audit_path: Path
) -> None:
    cluster.fail = Forbidden("deployments.apps/scale is forbidden", status=403)
    with pytest.raises(OperationFailed) as caught:
        await operations(cluster, audit_path).preview(SCALE)
    assert caught.value.message == (
        "you are not allowed to scale deployments in namespace serving "
        "(RBAC: patch deployments/scale)"
    )


# ----------------------------------------------------------------- execute


async def test_execute_fsyncs_the_intent_before_the_call_and_the_outcome_after(
    cluster: FakeCluster, audit_path: Path
) -> None:
    outcome = await operations(cluster, audit_path).execute(SCALE)
    assert cluster.audit_seen_at_call == [["intent"]]
    assert outcome.ok and outcome.message == "scaled deployment serving/llama to 3 replicas"
    intent, done = read_records(audit_path)
    assert (intent.phase, done.phase, done.result) == ("intent", "outcome", "ok")
    assert intent.id == done.id == outcome.audit_id
    assert (done.kind, done.params) == ("Deployment", {"replicas": 3})


async def test_a_403_becomes_you_are_not_allowed_and_is_audited_as_an_error(
    cluster: FakeCluster, audit_path: Path
) -> None:
    cluster.fail = Forbidden("RBAC: access denied", status=403)
    outcome = await operations(cluster, audit_path).execute(
        Operation.rollback("prod", "serving", "llama", 2)
    )
    assert outcome.result == "error" and not outcome.reload
    assert outcome.message.startswith("you are not allowed to roll back deployments in namespace")
    done = read_records(audit_path)[-1]
    assert done.result == "error" and done.error is not None
    assert (done.error.title, done.error.detail) == ("Not allowed", "RBAC: access denied")


async def test_a_409_says_someone_else_changed_it_and_offers_a_reload(
    cluster: FakeCluster, audit_path: Path
) -> None:
    cluster.fail = Conflict("the object has been modified", status=409)
    outcome = await operations(cluster, audit_path).execute(SCALE)
    assert outcome.message == (
        "someone else changed deployment serving/llama since you loaded it; reload and try again"
    )
    assert outcome.reload and outcome.result == "error"


async def test_a_conflict_with_its_own_title_is_explained_as_the_adapter_put_it(
    cluster: FakeCluster, audit_path: Path
) -> None:
    cluster.fail = Conflict("resume it first", title="Deployment is paused")
    outcome = await operations(cluster, audit_path).execute(
        Operation.rollback("prod", "serving", "llama", 2)
    )
    assert outcome.message == (
        "could not roll back deployment serving/llama to revision 2 — "
        "Deployment is paused: resume it first"
    )


async def test_a_timeout_leaves_the_outcome_unknown(cluster: FakeCluster, audit_path: Path) -> None:
    cluster.fail = Timeout("no answer in 10 s")
    outcome = await operations(cluster, audit_path).execute(SCALE)
    assert outcome.result == "unknown" and outcome.reload
    assert "may or may not have happened" in outcome.message
    assert read_records(audit_path)[-1].result == "unknown"


async def test_another_adapter_error_is_explained_with_its_title_and_detail(
    cluster: FakeCluster, audit_path: Path
) -> None:
    cluster.fail = InvalidRequest("skipped rollback (current template already matches revision 2)")
    outcome = await operations(cluster, audit_path).execute(
        Operation.rollback("prod", "serving", "llama", 2)
    )
    assert outcome.message == (
        "could not roll back deployment serving/llama to revision 2 — Invalid request: "
        "skipped rollback (current template already matches revision 2)"
    )


async def test_an_unexpected_exception_is_audited_as_unknown_and_raised_as_an_adapter_error(
    cluster: FakeCluster, audit_path: Path
) -> None:
    cluster.fail = RuntimeError("socket closed mid-response")
    with pytest.raises(AdapterError) as caught:
        await operations(cluster, audit_path).execute(SCALE)
    assert caught.value.title == "Outcome unknown"
    assert isinstance(caught.value.__cause__, RuntimeError)
    done = read_records(audit_path)[-1]
    assert done.result == "unknown" and done.error is not None
    assert done.error.detail == "RuntimeError: socket closed mid-response"


async def test_a_cancelled_call_is_audited_as_unknown_and_stays_cancelled(
    cluster: FakeCluster, audit_path: Path
) -> None:
    cluster.fail = asyncio.CancelledError()
    with pytest.raises(asyncio.CancelledError):
        await operations(cluster, audit_path).execute(SCALE)
    assert [r.result for r in read_records(audit_path)] == [None, "unknown"]


async def test_an_unwritable_audit_log_stops_the_operation_before_the_call(
    cluster: FakeCluster, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("")
    with pytest.raises(OperationFailed, match=r"cannot be written.*nothing was changed"):
        await operations(cluster, blocked / "audit.jsonl").execute(SCALE)
    assert cluster.calls == []


# ----------------------------------------------------------------- kubectl


@pytest.mark.parametrize(
    ("op", "argv"),
    [
        (SCALE, "-n serving scale deployment/llama --replicas=3"),
        (Operation.rollback("prod", "serving", "llama"),
         "-n serving rollout undo deployment/llama"),
        (Operation.rollback("prod", "serving", "llama", 4),
         "-n serving rollout undo deployment/llama --to-revision=4"),
        (Operation.restart("prod", "serving", "llama"),
         "-n serving rollout restart deployment/llama"),
        (Operation.delete_pod("prod", "serving", "llama-0"), "-n serving delete pod llama-0"),
        (Operation.cordon("prod", "gpu-3"), "cordon gpu-3"),
        (Operation.cordon("prod", "gpu-3", unschedulable=False), "uncordon gpu-3"),
    ],
)  # fmt: skip
def test_each_action_has_its_kubectl_equivalent(op: Operation, argv: str) -> None:
    assert kubectl_command(op) == ["kubectl", "--context", "prod", *argv.split()]


def test_the_kubectl_line_quotes_names_for_the_shell() -> None:
    op = Operation.scale("my ctx", "serving", "llama", 1)
    assert kubectl_command_line(op).startswith("kubectl --context 'my ctx' -n serving")
