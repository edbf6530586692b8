"""Rollback planning reads a Deployment's history from its ReplicaSets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from console.models import Deployment, Hpa, ReplicaSet
from console.rollout import (
    UnknownRevision,
    hpa_for,
    pod_template,
    resolve_revision,
    revisions,
    template_diff,
)

DEPLOY = Deployment(namespace="serving", name="llama", revision=3)


def rs(name: str, revision: int, *, owner: str = "llama", ns: str = "serving") -> ReplicaSet:
    return ReplicaSet(
        namespace=ns,
        name=name,
        owner_name=owner,
        revision=revision,
        images=(f"registry/llama:{revision}",),
        change_cause=f"deploy {revision}",
        created=datetime(2024, 5, revision, tzinfo=UTC),
    )


HISTORY = revisions(
    DEPLOY,
    [rs("llama-a", 1), rs("llama-c", 3), rs("llama-b", 2), rs("other-x", 9, owner="other"),
     rs("llama-elsewhere", 4, ns="batch")],
)  # fmt: skip


def template(image: str, template_hash: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": "llama", "pod-template-hash": template_hash}},
        "spec": {"containers": [{"name": "server", "image": image}]},
    }


def test_revisions_are_listed_newest_first_with_the_current_one_marked() -> None:
    assert [(r.revision, r.rs_name, r.current) for r in HISTORY] == [
        (3, "llama-c", True),
        (2, "llama-b", False),
        (1, "llama-a", False),
    ]
    assert HISTORY[1].images == ("registry/llama:2",)
    assert HISTORY[1].change_cause == "deploy 2"


def test_revision_zero_resolves_to_the_one_before_the_current() -> None:
    assert resolve_revision(HISTORY, 0).revision == 2


def test_an_unknown_revision_lists_the_known_ones() -> None:
    with pytest.raises(UnknownRevision) as caught:
        resolve_revision(HISTORY, 7)
    assert caught.value.message == "revision 7 is not in the history (known revisions: 1, 2, 3)"


def test_rolling_back_to_the_current_revision_is_refused() -> None:
    with pytest.raises(UnknownRevision, match="already the current revision"):
        resolve_revision(HISTORY, 3)


def test_a_deployment_with_one_revision_has_nothing_to_roll_back_to() -> None:
    with pytest.raises(UnknownRevision, match="no earlier revision"):
        resolve_revision(revisions(DEPLOY, [rs("llama-c", 3)]), 0)


def test_pod_template_drops_the_template_hash_without_touching_the_manifest() -> None:
    manifest = {"spec": {"template": template("img:1", "abc123")}}
    assert pod_template(manifest)["metadata"]["labels"] == {"app": "llama"}
    assert manifest["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == "abc123"


def test_template_diff_shows_the_changed_image_as_a_unified_diff() -> None:
    diff = template_diff(template("img:2", "h2"), template("img:1", "h1"), target_label="rev 1")
    assert "--- current\n+++ rev 1\n" in diff
    removed = [line for line in diff.splitlines() if line.startswith("-") and "image:" in line]
    added = [line for line in diff.splitlines() if line.startswith("+") and "image:" in line]
    assert [line.split("image: ")[1] for line in removed] == ["img:2"]
    assert [line.split("image: ")[1] for line in added] == ["img:1"]
    assert "pod-template-hash" not in diff


def test_templates_differing_only_by_their_hash_have_no_diff() -> None:
    assert template_diff(template("img:1", "h1"), template("img:1", "h2")) == ""


def test_key_order_and_a_null_creation_timestamp_are_not_differences() -> None:
    current = template("img:1", "h1")
    reordered = {"spec": current["spec"], "metadata": {**current["metadata"],
                                                       "creationTimestamp": None}}
    assert template_diff(current, reordered) == ""


def hpa(name: str, ns: str, target: str, kind: str = "Deployment") -> Hpa:
    return Hpa(name=name, namespace=ns, target_kind=kind, target_name=target, min_replicas=2,
               max_replicas=8)  # fmt: skip


def test_the_hpa_targeting_a_deployment_is_found_with_its_bounds() -> None:
    found = hpa_for(
        "serving", "llama", [hpa("x", "serving", "other"), hpa("h", "serving", "llama")]
    )
    assert found is not None
    assert (found.name, found.min_replicas, found.max_replicas) == ("h", 2, 8)
    assert "it will override a manual scale" in found.warning("deployment serving/llama")


def test_an_hpa_of_another_namespace_or_kind_does_not_count() -> None:
    hpas = [hpa("h", "batch", "llama"), hpa("s", "serving", "llama", kind="StatefulSet")]
    assert hpa_for("serving", "llama", hpas) is None
