"""Rollback planning: a Deployment's revision history, template diffs, HPA ownership.

A Deployment's history is its ReplicaSets: each carries the revision it was
created (or last reused) for in ``deployment.kubernetes.io/revision``, its pod
template, and the ``kubernetes.io/change-cause`` annotation when someone recorded
one. ``kubectl rollout history`` reads the same data.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.manifests import unified_diff
from console.models import Deployment, Hpa, ReplicaSet

__all__ = [
    "HpaInfo",
    "RevisionInfo",
    "UnknownRevision",
    "hpa_for",
    "pod_template",
    "resolve_revision",
    "revisions",
    "template_diff",
]

TEMPLATE_HASH_LABEL = "pod-template-hash"


class UnknownRevision(LookupError):
    """The asked-for revision is not in the history; ``message`` says which exist."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class RevisionInfo:
    """One revision of a Deployment, as the rollback list shows it."""

    revision: int
    rs_name: str
    created: datetime | None
    images: tuple[str, ...]
    change_cause: str
    #: True for the revision the Deployment's pod template matches now.
    current: bool
    replicas: int = 0


def revisions(deploy: Deployment, replicasets: Iterable[ReplicaSet]) -> list[RevisionInfo]:
    """The revisions of ``deploy``, newest first, from the ReplicaSets it owns.

    ReplicaSets of other Deployments (or other namespaces) and ones without a
    revision annotation are ignored. The current revision is the Deployment's own
    ``deployment.kubernetes.io/revision``.
    """
    found = [
        RevisionInfo(
            revision=rs.revision,
            rs_name=rs.name,
            created=rs.created,
            images=rs.images,
            change_cause=rs.change_cause,
            current=rs.revision == deploy.revision,
            replicas=rs.replicas,
        )
        for rs in replicasets
        if rs.namespace == deploy.namespace and rs.owner_name == deploy.name and rs.revision > 0
    ]
    return sorted(found, key=lambda info: info.revision, reverse=True)


def resolve_revision(history: list[RevisionInfo], to_revision: int) -> RevisionInfo:
    """The revision ``kubectl rollout undo --to-revision=to_revision`` would restore.

    ``0`` means the newest revision older than the current one. Raises
    ``UnknownRevision`` when that revision is not in ``history`` or is the
    current one.
    """
    current = next((info for info in history if info.current), None)
    if to_revision == 0:
        ceiling = current.revision if current else max((i.revision for i in history), default=0)
        older = [info for info in history if info.revision < ceiling]
        if not older:
            raise UnknownRevision("there is no earlier revision to roll back to")
        return max(older, key=lambda info: info.revision)
    for info in history:
        if info.revision == to_revision:
            if info.current:
                raise UnknownRevision(f"revision {to_revision} is already the current revision")
            return info
    known = ", ".join(str(info.revision) for info in sorted(history, key=lambda i: i.revision))
    raise UnknownRevision(
        f"revision {to_revision} is not in the history (known revisions: {known or 'none'})"
    )


def pod_template(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the pod template of a Deployment or ReplicaSet manifest, without the
    ``pod-template-hash`` label the ReplicaSet controller adds (as ``kubectl
    rollout undo`` drops it). Returns {} when the manifest has no template."""
    template: dict[str, Any] = copy.deepcopy(manifest.get("spec", {}).get("template", {}))
    metadata = template.get("metadata", {})
    if metadata.get("creationTimestamp", "") is None:  # Go's zero time, as kubectl sends it
        del metadata["creationTimestamp"]
    labels = metadata.get("labels")
    if isinstance(labels, dict):
        labels.pop(TEMPLATE_HASH_LABEL, None)
    return template


def template_diff(
    current_template: Mapping[str, Any],
    target_template: Mapping[str, Any],
    *,
    current_label: str = "current",
    target_label: str = "target",
) -> str:
    """A unified diff of two pod templates as YAML, the ``pod-template-hash`` label
    ignored on both sides. Returns "" when they are the same template."""
    return unified_diff(
        pod_template({"spec": {"template": current_template}}),
        pod_template({"spec": {"template": target_template}}),
        from_label=current_label,
        to_label=target_label,
    )


@dataclass(frozen=True, slots=True)
class HpaInfo:
    """A HorizontalPodAutoscaler that owns a Deployment's replica count."""

    name: str
    min_replicas: int
    max_replicas: int

    def warning(self, deployment: str) -> str:
        """The sentence the scale dialog shows."""
        return (
            f"HorizontalPodAutoscaler {self.name} owns the replica count of {deployment} "
            f"(min {self.min_replicas}, max {self.max_replicas}); "
            "it will override a manual scale"
        )


def hpa_for(namespace: str, deployment: str, hpas: Iterable[Hpa]) -> HpaInfo | None:
    """The first HPA in ``hpas`` whose ``scaleTargetRef`` is the Deployment
    ``namespace/deployment``, or None."""
    for hpa in hpas:
        if hpa.scales(namespace, deployment):
            return HpaInfo(
                name=hpa.name, min_replicas=hpa.min_replicas, max_replicas=hpa.max_replicas
            )
    return None
