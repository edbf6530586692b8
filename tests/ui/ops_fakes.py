"""A fake cluster for the operation screens: pods, manifests, logs and mutations.

It extends the UI tests' ``FakeCluster`` with what pods, describe, logs, scale,
rollback, restart and delete need, records every mutation call (with its
``dry_run`` flag), and fails the next call with a chosen error when told to.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from adapters.base import (
    AdapterError,
    InvalidRequest,
    Kind,
    ListResult,
    LogOptions,
    MutationResult,
)
from console.models import (
    ContainerState,
    Deployment,
    Event,
    KubeObject,
    Namespace,
    Pod,
    ReplicaSet,
)
from tests.ui.fakes import NOW, FakeCluster, deployment


def pod(name: str, *, rs: str = "llama-70b-7d9f", node: str = "gpu-1") -> Pod:
    return Pod(
        namespace="inference", name=name, owner_kind="ReplicaSet", owner_name=rs,
        labels={"pod-template-hash": rs.rsplit("-", 1)[1]}, phase="Running", node=node,
        qos_class="Guaranteed", created=NOW - timedelta(hours=1),
        containers=(ContainerState(name="server", image="vllm:2", state="running", ready=True,
                                   limits={"nvidia.com/gpu": "1"}),),
    )  # fmt: skip


def revision_rs(revision: int, image: str) -> ReplicaSet:
    return ReplicaSet(
        namespace="inference", name=f"llama-70b-r{revision}", owner_name="llama-70b",
        revision=revision, images=(image,), change_cause=f"release {revision}",
        created=NOW - timedelta(days=4 - revision),
    )  # fmt: skip


def ops_world() -> list[KubeObject]:
    return [
        Namespace(name="inference"),
        deployment("inference", "llama-70b", age=timedelta(days=3), revision=3),
        deployment("inference", "whisper", age=timedelta(hours=5), paused=True),
        *(pod(f"llama-70b-7d9f-{suffix}") for suffix in ("aaaaa", "bbbbb")),
        pod("whisper-5c4b-ccccc", rs="whisper-5c4b"),
        revision_rs(1, "vllm:1"),
        revision_rs(2, "vllm:2-bad"),
        revision_rs(3, "vllm:3"),
        Event(namespace="inference", name="ev1", involved_kind="Deployment",
              involved_name="llama-70b", reason="ScalingReplicaSet", message="Scaled up to 3",
              last_seen=NOW - timedelta(minutes=2), source="deployment-controller"),
    ]  # fmt: skip


def _template(image: str) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "llama"}},
            "spec": {"containers": [{"name": "server", "image": image}]}}  # fmt: skip


class OpsCluster(FakeCluster):
    """``FakeCluster`` plus pods, events, ReplicaSets, manifests, logs and mutations."""

    def __init__(self, *, context: str = "fake") -> None:
        super().__init__([], context=context)
        for obj in ops_world():
            self.objects[_kind(obj)][obj.key] = obj
        self.calls: list[tuple[str, bool]] = []
        self.fail_next: list[AdapterError] = []
        self.log_lines: dict[str, list[str]] = {}
        self.log_options: list[LogOptions] = []
        self.follow_forever = True

    async def list(self, kind: Kind, namespace: str | None = None, **_: Any) -> ListResult:
        items = [o for o in self.objects[kind].values() if namespace in (None, o.namespace)]
        return ListResult(items, str(self.version))

    async def get_manifest(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any]:
        obj = self.objects[kind][f"{namespace}/{name}" if namespace else name]
        manifest: dict[str, Any] = {
            "apiVersion": kind.api_group_version, "kind": kind.kind_name,
            "metadata": {"name": obj.name, "namespace": obj.namespace, "resourceVersion": "9",
                         "managedFields": [{"manager": "kube-controller-manager"}],
                         "annotations": dict(obj.annotations)},
        }  # fmt: skip
        if isinstance(obj, Deployment):
            manifest["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = str(
                obj.revision
            )
            manifest["spec"] = {"replicas": obj.replicas, "paused": obj.paused,
                                "template": _template("vllm:3")}  # fmt: skip
        if isinstance(obj, ReplicaSet):
            manifest["spec"] = {"template": _template(obj.images[0])}
        if isinstance(obj, Pod):
            manifest["metadata"]["ownerReferences"] = [
                {"kind": "ReplicaSet", "name": obj.owner_name}
            ]
        return manifest

    async def logs(self, namespace: str, pod: str, options: LogOptions) -> AsyncIterator[str]:
        self.log_options.append(options)
        if options.previous and pod not in self.log_lines:
            raise InvalidRequest(f'previous terminated container "server" in pod "{pod}" not found')
        for line in self.log_lines.get(pod, []):
            yield line
        while self.follow_forever and options.follow:
            await asyncio.sleep(3600)

    async def _mutate(self, what: str, dry_run: bool, kind: Kind, key: str,
                      change: dict[str, Any]) -> MutationResult:  # fmt: skip
        self.calls.append((what, dry_run))
        if self.fail_next and (not dry_run or self.fail_next[0].status == 403):
            raise self.fail_next.pop(0)
        namespace, _, name = key.partition("/")
        before = await self.get_manifest(kind, namespace, name)
        after = copy.deepcopy(before)
        after.setdefault("spec", {}).update(change)
        return MutationResult(dry_run=dry_run, before=before, after=after)

    async def scale(self, namespace: str, name: str, replicas: int, *, dry_run: bool = False
                    ) -> MutationResult:  # fmt: skip
        return await self._mutate(f"scale {name} {replicas}", dry_run, Kind.DEPLOYMENT,
                                  f"{namespace}/{name}", {"replicas": replicas})  # fmt: skip

    async def rollback(self, namespace: str, name: str, to_revision: int = 0, *,
                       dry_run: bool = False) -> MutationResult:  # fmt: skip
        change = {"template": _template("vllm:1")}
        return await self._mutate(f"rollback {name} {to_revision}", dry_run, Kind.DEPLOYMENT,
                                  f"{namespace}/{name}", change)  # fmt: skip

    async def restart(self, namespace: str, name: str, *, dry_run: bool = False
                      ) -> MutationResult:  # fmt: skip
        return await self._mutate(f"restart {name}", dry_run, Kind.DEPLOYMENT,
                                  f"{namespace}/{name}", {})  # fmt: skip

    async def delete_pod(self, namespace: str, name: str, *, dry_run: bool = False
                         ) -> MutationResult:  # fmt: skip
        return await self._mutate(f"delete {name}", dry_run, Kind.POD, f"{namespace}/{name}", {})


def _kind(obj: KubeObject) -> Kind:
    return {Namespace: Kind.NAMESPACE, Deployment: Kind.DEPLOYMENT, Pod: Kind.POD,
            ReplicaSet: Kind.REPLICASET, Event: Kind.EVENT}[type(obj)]  # fmt: skip
