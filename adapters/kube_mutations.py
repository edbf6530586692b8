"""The bodies of the console's mutations, computed exactly as kubectl computes them.

Pure functions over raw manifests (dicts as the API returns them), so they are
tested without a cluster and the adapter only sends what they return:

* ``scale_patch`` — ``kubectl scale``: a merge patch of the ``scale`` subresource.
* ``plan_rollback`` — ``kubectl rollout undo`` (kubectl/pkg/polymorphichelpers/
  rollback.go): pick the ReplicaSet of the revision, refuse a paused Deployment,
  skip a template that already matches, then a JSON patch replacing the pod
  template (without ``pod-template-hash``) and the annotations. Unlike kubectl, the
  patch starts with a ``test`` of ``metadata.resourceVersion``, so a Deployment
  changed since it was read is not rolled back blindly.
* ``restart_patch`` — ``kubectl rollout restart``: the ``restartedAt`` template
  annotation as a strategic merge patch.
* ``cordon_patch`` — ``kubectl cordon``/``uncordon``: ``spec.unschedulable``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters.base import Conflict, InvalidRequest, NotFound

Raw = dict[str, Any]

TEMPLATE_HASH_LABEL = "pod-template-hash"
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
#: Annotations kept from the Deployment and never copied from the ReplicaSet
#: (kubectl's ``annotationsToSkip``).
SKIPPED_ANNOTATIONS = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION_ANNOTATION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    }
)


def scale_patch(replicas: int) -> Raw:
    """The merge patch ``kubectl scale --replicas=N`` sends to ``.../scale``."""
    return {"spec": {"replicas": replicas}}


def rfc3339(moment: datetime) -> str:
    """``moment`` as Go's ``time.RFC3339`` prints it: seconds, and "Z" for UTC
    ("2024-05-01T10:00:00Z", "2024-05-01T12:00:00+02:00")."""
    text = moment.astimezone().isoformat(timespec="seconds")
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def restart_patch(deployment: Raw, now: datetime) -> Raw:
    """The strategic merge patch ``kubectl rollout restart`` sends. Raises
    ``Conflict`` for a paused Deployment, as kubectl refuses it."""
    if (deployment.get("spec") or {}).get("paused"):
        raise Conflict(
            "can't restart paused deployment (run rollout resume first)",
            title="Deployment is paused",
        )
    annotations = {RESTARTED_AT_ANNOTATION: rfc3339(now)}
    return {"spec": {"template": {"metadata": {"annotations": annotations}}}}


def cordon_patch(unschedulable: bool) -> Raw:
    """The strategic merge patch ``kubectl cordon`` (True) or ``uncordon`` (False)
    sends: ``unschedulable`` is omitted when false, so uncordon removes it."""
    return {"spec": {"unschedulable": True if unschedulable else None}}


# ----------------------------------------------------------------- rollback


def selector_string(selector: Raw) -> str:
    """A ``LabelSelector`` (matchLabels and matchExpressions) as the
    ``labelSelector`` query parameter: "app=web,tier in (a,b),!canary"."""
    terms = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or ():
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In":
            terms.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            terms.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            terms.append(key)
        elif op == "DoesNotExist":
            terms.append(f"!{key}")
    return ",".join(terms)


def revision_of(obj: Raw) -> int | None:
    """The ``deployment.kubernetes.io/revision`` annotation, None if absent or bad."""
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION_ANNOTATION)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def owned_by(obj: Raw, owner: Raw) -> bool:
    """Whether ``obj``'s controller reference points at ``owner`` (by uid)."""
    uid = (owner.get("metadata") or {}).get("uid")
    return any(
        ref.get("controller") and ref.get("uid") == uid
        for ref in (obj.get("metadata") or {}).get("ownerReferences") or ()
    )


def revision_replicaset(deployment: Raw, replicasets: list[Raw], to_revision: int) -> Raw:
    """The ReplicaSet of ``to_revision`` among those the Deployment controls; for 0,
    the one before the newest. Raises ``NotFound`` when there is none."""
    name = deployment["metadata"]["name"]
    if to_revision < 0:
        raise NotFound(f"unable to find specified revision {to_revision} in history")
    latest: tuple[int, Raw | None] = (-1, None)
    previous: tuple[int, Raw | None] = (-1, None)
    for rs in replicasets:
        revision = revision_of(rs)
        if revision is None or not owned_by(rs, deployment):
            continue
        if to_revision and revision == to_revision:
            return rs
        if not to_revision:
            if revision > latest[0]:
                latest, previous = (revision, rs), latest
            elif revision > previous[0]:
                previous = (revision, rs)
    if to_revision:
        raise NotFound(f"unable to find specified revision {to_revision} in history")
    if previous[1] is None:
        raise NotFound(f'no rollout history found for deployment "{name}"')
    return previous[1]


def _without_hash(template: Raw) -> Raw:
    """A copy of the pod template without the ``pod-template-hash`` label, its
    metadata carrying ``creationTimestamp: null`` as Go's encoding of a
    ``PodTemplateSpec`` always does (so the patch is the one kubectl sends)."""
    metadata = {"creationTimestamp": None, **(template.get("metadata") or {})}
    labels = {k: v for k, v in (metadata.get("labels") or {}).items() if k != TEMPLATE_HASH_LABEL}
    metadata["labels"] = labels
    return {**template, "metadata": metadata}


def _semantic(value: Any) -> Any:
    """``value`` with nulls and empty maps/lists removed, so that templates compare
    as Go's ``equality.Semantic`` compares them (nil and empty are equal)."""
    if isinstance(value, dict):
        cleaned = {k: _semantic(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def plan_rollback(deployment: Raw, replicasets: list[Raw], to_revision: int = 0) -> list[Raw]:
    """The JSON patch that rolls ``deployment`` back to ``to_revision`` (0: the
    previous revision), given the ReplicaSets of its namespace.

    Raises ``NotFound`` for an unknown revision, ``Conflict`` for a paused
    Deployment and ``InvalidRequest`` when its template already is that revision's
    (kubectl's "skipped rollback"), in kubectl's order.
    """
    name = deployment["metadata"]["name"]
    rs = revision_replicaset(deployment, replicasets, to_revision)
    if (deployment.get("spec") or {}).get("paused"):
        raise Conflict(
            "you cannot rollback a paused deployment; resume it first with "
            "'kubectl rollout resume' and try again",
            title="Deployment is paused",
        )
    template = _without_hash(rs["spec"]["template"])
    current = _without_hash(deployment["spec"]["template"])
    if _semantic(template) == _semantic(current):
        raise InvalidRequest(
            f"skipped rollback (current template already matches revision {to_revision})",
            title=f"{name} already runs that revision",
        )
    kept = (deployment["metadata"].get("annotations") or {}).items()
    copied = (rs["metadata"].get("annotations") or {}).items()
    annotations = {k: v for k, v in kept if k in SKIPPED_ANNOTATIONS}
    annotations.update((k, v) for k, v in copied if k not in SKIPPED_ANNOTATIONS)
    return [
        {
            "op": "test",
            "path": "/metadata/resourceVersion",
            "value": deployment["metadata"]["resourceVersion"],
        },
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]
