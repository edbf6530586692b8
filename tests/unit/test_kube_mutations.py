"""Mutation bodies computed as kubectl computes them (rollout undo, restart, scale, cordon)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from adapters.base import Conflict, InvalidRequest, NotFound
from adapters.kube_mutations import (
    cordon_patch,
    plan_rollback,
    restart_patch,
    revision_replicaset,
    rfc3339,
    scale_patch,
    selector_string,
)

DEPLOY_UID = "3c2b1a00-1111-4a52-9f0e-3b7d2f6c9a11"


def template(image: str, hash_: str | None = None) -> dict[str, Any]:
    labels = {"app": "web"}
    if hash_:
        labels["pod-template-hash"] = hash_
    return {
        "metadata": {"creationTimestamp": None, "labels": labels},
        "spec": {"containers": [{"name": "web", "image": image, "resources": {}}]},
    }


def deployment(image: str = "web:3", *, paused: bool = False) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "web",
            "namespace": "shop",
            "uid": DEPLOY_UID,
            "resourceVersion": "900",
            "annotations": {
                "deployment.kubernetes.io/revision": "3",
                "kubectl.kubernetes.io/last-applied-configuration": "{}",
                "team": "storefront",
            },
        },
        "spec": {
            "replicas": 3,
            "paused": paused,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image, "resources": {}}]},
            },
        },
    }


def replicaset(revision: int, image: str, *, owner_uid: str = DEPLOY_UID) -> dict[str, Any]:
    hash_ = f"h{revision}"
    return {
        "metadata": {
            "name": f"web-{hash_}",
            "namespace": "shop",
            "annotations": {
                "deployment.kubernetes.io/revision": str(revision),
                "deployment.kubernetes.io/desired-replicas": "3",
                "deployment.kubernetes.io/max-replicas": "4",
                "kubernetes.io/change-cause": f"release {image}",
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "web",
                    "uid": owner_uid,
                    "controller": True,
                }
            ],
        },
        "spec": {"replicas": 0, "template": template(image, hash_)},
    }


HISTORY = [replicaset(1, "web:1"), replicaset(3, "web:3"), replicaset(2, "web:2")]


def test_revision_zero_picks_the_one_before_the_newest() -> None:
    assert revision_replicaset(deployment(), HISTORY, 0)["metadata"]["name"] == "web-h2"


def test_an_explicit_revision_picks_that_replicaset() -> None:
    assert revision_replicaset(deployment(), HISTORY, 1)["metadata"]["name"] == "web-h1"


def test_replicasets_the_deployment_does_not_control_are_ignored() -> None:
    stranger = replicaset(7, "other:7", owner_uid="someone-else")
    with pytest.raises(NotFound, match="unable to find specified revision 7 in history"):
        revision_replicaset(deployment(), [*HISTORY, stranger], 7)


def test_an_unknown_or_negative_revision_is_not_found() -> None:
    with pytest.raises(NotFound, match="unable to find specified revision 9 in history"):
        plan_rollback(deployment(), HISTORY, 9)
    with pytest.raises(NotFound, match="unable to find specified revision -1 in history"):
        plan_rollback(deployment(), HISTORY, -1)


def test_a_deployment_with_a_single_revision_has_no_history_to_roll_back_to() -> None:
    with pytest.raises(NotFound, match='no rollout history found for deployment "web"'):
        plan_rollback(deployment(), [replicaset(3, "web:3")], 0)


def test_rollback_refuses_a_paused_deployment() -> None:
    with pytest.raises(Conflict, match="you cannot rollback a paused deployment; resume it first"):
        plan_rollback(deployment(paused=True), HISTORY, 0)


def test_rollback_to_the_template_already_running_is_skipped() -> None:
    with pytest.raises(
        InvalidRequest, match=r"skipped rollback \(current template already matches revision 3\)"
    ):
        plan_rollback(deployment(), HISTORY, 3)


def test_rollback_patch_tests_the_version_then_replaces_template_and_annotations() -> None:
    test, template_op, annotations_op = plan_rollback(deployment(), HISTORY, 0)
    assert test == {"op": "test", "path": "/metadata/resourceVersion", "value": "900"}
    assert template_op["op"] == "replace"
    assert template_op["path"] == "/spec/template"
    assert template_op["value"]["spec"]["containers"][0]["image"] == "web:2"
    assert template_op["value"]["metadata"]["labels"] == {"app": "web"}
    assert annotations_op["op"] == "replace"
    assert annotations_op["path"] == "/metadata/annotations"


def test_rollback_keeps_the_deployments_skipped_annotations_and_copies_the_replicasets() -> None:
    *_, annotations_op = plan_rollback(deployment(), HISTORY, 1)
    assert annotations_op["value"] == {
        "deployment.kubernetes.io/revision": "3",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        "kubernetes.io/change-cause": "release web:1",
    }


def test_planning_a_rollback_leaves_its_inputs_untouched() -> None:
    dep, history = deployment(), copy.deepcopy(HISTORY)
    plan_rollback(dep, history, 0)
    assert dep == deployment()
    assert history == HISTORY


def test_restart_sets_restarted_at_in_the_pod_template_as_rfc3339() -> None:
    now = datetime(2024, 5, 1, 10, 0, 0, 999, tzinfo=UTC)
    patch = restart_patch(deployment(), now)
    stamp = patch["spec"]["template"]["metadata"]["annotations"][
        "kubectl.kubernetes.io/restartedAt"
    ]
    assert datetime.fromisoformat(stamp) == now.replace(microsecond=0)
    assert "." not in stamp


def test_restart_refuses_a_paused_deployment() -> None:
    with pytest.raises(Conflict, match="can't restart paused deployment"):
        restart_patch(deployment(paused=True), datetime.now(UTC))


def test_rfc3339_prints_utc_as_z_and_other_zones_as_offsets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()
    try:
        assert rfc3339(datetime(2024, 5, 1, 10, 0, tzinfo=UTC)) == "2024-05-01T10:00:00Z"
        monkeypatch.setenv("TZ", "Europe/Berlin")
        time.tzset()
        plus_two = datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
        assert rfc3339(plus_two) == "2024-05-01T12:00:00+02:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_scale_and_cordon_patches_are_what_kubectl_sends() -> None:
    assert scale_patch(5) == {"spec": {"replicas": 5}}
    assert cordon_patch(True) == {"spec": {"unschedulable": True}}
    assert cordon_patch(False) == {"spec": {"unschedulable": None}}


def test_a_label_selector_becomes_the_query_parameter() -> None:
    selector = {
        "matchLabels": {"tier": "web", "app": "shop"},
        "matchExpressions": [
            {"key": "track", "operator": "In", "values": ["stable", "canary"]},
            {"key": "env", "operator": "NotIn", "values": ["dev"]},
            {"key": "gpu", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist"},
        ],
    }
    assert selector_string(selector) == (
        "app=shop,tier=web,track in (stable,canary),env notin (dev),gpu,!legacy"
    )
