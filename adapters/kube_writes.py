"""The mutations of the Kubernetes adapter: what kubectl sends, sent the same way.

``KubeWrites`` is mixed into ``KubernetesAdapter`` and works through two of its
reads (``get_manifest`` and ``_json``, declared by ``_Reads``). The bodies come
from ``adapters.kube_mutations``; every mutation returns the object before and
after (as the server answered, or would have, for a ``dryRun=All`` preview),
without ``managedFields``, and kubectl's confirmation line.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, Protocol

from adapters.base import Conflict, InvalidRequest, Kind, MutationResult
from adapters.kube_errors import Operation
from adapters.kube_mutations import (
    cordon_patch,
    plan_rollback,
    restart_patch,
    scale_patch,
    selector_string,
)
from adapters.kube_parse import Raw
from adapters.kube_paths import collection_path, object_path, without_managed_fields

MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"


class _Reads(Protocol):
    """What the mutations need of the adapter they are mixed into."""

    async def get_manifest(
        self, kind: Kind, namespace: str | None, name: str
    ) -> dict[str, Any]: ...

    async def _json(self, method: str, path: str, op: Operation, **kwargs: Any) -> Any: ...


async def _patch(
    reads: _Reads,
    kind: Kind,
    namespace: str | None,
    name: str,
    body: Any,
    content_type: str,
    *,
    dry_run: bool,
    subresource: str = "",
) -> Raw:
    """PATCH one object (or its ``subresource``); the answer without ``managedFields``."""
    resource = f"{kind.value}/{subresource}" if subresource else kind.value
    path = object_path(kind, namespace, name) + (f"/{subresource}" if subresource else "")
    query = [("dryRun", "All")] if dry_run else []
    op = Operation("patch", resource, namespace, name)
    result = await reads._json("PATCH", path, op, query=query, body=body, content_type=content_type)
    return without_managed_fields(result)


class KubeWrites:
    """Scale, rollback, restart, delete a pod, cordon: as kubectl does them."""

    async def scale(
        self: _Reads, namespace: str, name: str, replicas: int, *, dry_run: bool = False
    ) -> MutationResult:
        """``kubectl scale``: a merge patch of the ``scale`` subresource. Raises
        ``NotFound``, ``Conflict``, ``InvalidRequest`` (a negative count)."""
        before = await self.get_manifest(Kind.DEPLOYMENT, namespace, name)
        scale = await _patch(
            self,
            Kind.DEPLOYMENT,
            namespace,
            name,
            scale_patch(replicas),
            MERGE_PATCH,
            dry_run=dry_run,
            subresource="scale",
        )
        if dry_run:
            after = copy.deepcopy(before)
            after.setdefault("spec", {})["replicas"] = (scale.get("spec") or {}).get(
                "replicas", replicas
            )
        else:
            after = await self.get_manifest(Kind.DEPLOYMENT, namespace, name)
        return MutationResult(
            dry_run, before, after, _done(f"deployment.apps/{name} scaled", dry_run)
        )

    async def rollback(
        self: _Reads, namespace: str, name: str, to_revision: int = 0, *, dry_run: bool = False
    ) -> MutationResult:
        """``kubectl rollout undo [--to-revision]``. Raises ``NotFound`` (revision),
        ``Conflict`` (paused, or changed meanwhile), ``InvalidRequest`` (already there)."""
        before = await self.get_manifest(Kind.DEPLOYMENT, namespace, name)
        selector = selector_string((before.get("spec") or {}).get("selector") or {})
        op = Operation("list", Kind.REPLICASET.value, namespace)
        replicasets = await self._json(
            "GET",
            collection_path(Kind.REPLICASET, namespace),
            op,
            query=[("labelSelector", selector)],
        )
        patch = plan_rollback(before, replicasets.get("items") or [], to_revision)
        try:
            after = await _patch(
                self, Kind.DEPLOYMENT, namespace, name, patch, JSON_PATCH, dry_run=dry_run
            )
        except InvalidRequest as exc:  # the resourceVersion test failed, or a real refusal
            current = await self.get_manifest(Kind.DEPLOYMENT, namespace, name)
            if current["metadata"].get("resourceVersion") != before["metadata"].get(
                "resourceVersion"
            ):
                raise Conflict(
                    f"deployment {name!r} changed while rolling back; look again and retry"
                ) from exc
            raise
        return MutationResult(
            dry_run, before, after, _done(f"deployment.apps/{name} rolled back", dry_run)
        )

    async def restart(
        self: _Reads, namespace: str, name: str, *, dry_run: bool = False
    ) -> MutationResult:
        """``kubectl rollout restart``: sets the ``restartedAt`` template annotation.
        Raises ``NotFound``, ``Conflict`` (paused)."""
        before = await self.get_manifest(Kind.DEPLOYMENT, namespace, name)
        patch = restart_patch(before, datetime.now(UTC))
        after = await _patch(
            self, Kind.DEPLOYMENT, namespace, name, patch, STRATEGIC_MERGE_PATCH, dry_run=dry_run
        )
        return MutationResult(
            dry_run, before, after, _done(f"deployment.apps/{name} restarted", dry_run)
        )

    async def delete_pod(
        self: _Reads, namespace: str, name: str, *, dry_run: bool = False
    ) -> MutationResult:
        """Delete one pod with its default grace period. ``after`` is the pod as
        the API returned it (terminating), or empty once gone. Raises ``NotFound``."""
        before = await self.get_manifest(Kind.POD, namespace, name)
        op = Operation("delete", Kind.POD.value, namespace, name)
        query = [("dryRun", "All")] if dry_run else []
        answer = await self._json("DELETE", object_path(Kind.POD, namespace, name), op, query=query)
        after = without_managed_fields(answer) if answer.get("kind") == "Pod" else {}
        return MutationResult(dry_run, before, after, _done(f'pod "{name}" deleted', dry_run))

    async def cordon(
        self: _Reads, node: str, unschedulable: bool, *, dry_run: bool = False
    ) -> MutationResult:
        """``kubectl cordon`` / ``uncordon``; a node already in that state is left
        alone (``before`` is ``after``). Raises ``NotFound``."""
        before = await self.get_manifest(Kind.NODE, None, node)
        verb = "cordoned" if unschedulable else "uncordoned"
        if bool((before.get("spec") or {}).get("unschedulable")) == unschedulable:
            return MutationResult(dry_run, before, before, f"node/{node} already {verb}")
        after = await _patch(
            self,
            Kind.NODE,
            None,
            node,
            cordon_patch(unschedulable),
            STRATEGIC_MERGE_PATCH,
            dry_run=dry_run,
        )
        return MutationResult(dry_run, before, after, _done(f"node/{node} {verb}", dry_run))


def _done(message: str, dry_run: bool) -> str:
    """kubectl's confirmation line, marked as it marks a server-side dry run."""
    return f"{message} (server dry run)" if dry_run else message
