"""The resources the sandbox serves, and the discovery documents that announce them.

kubectl and client-go learn what a server offers from ``/api``, ``/api/v1``,
``/apis``, ``/apis/apps/v1`` and ``/apis/autoscaling/v2``; the documents built
here are shaped exactly like the real API server's (legacy, non-aggregated
discovery — clients fall back to it when the server answers plain JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
SERVER_VERSION = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0-sandbox",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2024-12-11T00:00:00Z",
    "goVersion": "go1.23.3",
    "compiler": "gc",
    "platform": "linux/amd64",
}


@dataclass(frozen=True, slots=True)
class Resource:
    """One served resource: its URL plural, kind, API group and the one version of
    that group the sandbox serves it in."""

    plural: str
    singular: str
    kind: str
    group: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    version: str = "v1"

    @property
    def api_version(self) -> str:
        """``v1`` for the core group, ``<group>/<version>`` otherwise."""
        return group_version(self.group, self.version)

    @property
    def qualified(self) -> str:
        """The name the API server uses in messages: ``pods``, ``deployments.apps``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified_kind(self) -> str:
        """The kind as named in validation messages: ``Pod``, ``Deployment.apps``."""
        return f"{self.kind}.{self.group}" if self.group else self.kind


RESOURCES: dict[str, Resource] = {
    r.plural: r
    for r in (
        Resource("namespaces", "namespace", "Namespace", "", False, ("ns",), ("status",)),
        Resource("nodes", "node", "Node", "", False, ("no",), ("status",)),
        Resource("pods", "pod", "Pod", "", True, ("po",), ("log", "status"), ("all",)),
        Resource("services", "service", "Service", "", True, ("svc",), ("status",), ("all",)),
        Resource("events", "event", "Event", "", True, ("ev",)),
        Resource(
            "deployments", "deployment", "Deployment", "apps", True, ("deploy",),
            ("scale", "status"), ("all",),
        ),
        Resource(
            "replicasets", "replicaset", "ReplicaSet", "apps", True, ("rs",),
            ("scale", "status"), ("all",),
        ),
        Resource(
            "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler",
            "autoscaling", True, ("hpa",), ("status",), ("all",), version="v2",
        ),
    )
}

SCALABLE = frozenset({"deployments", "replicasets"})


#: The named API groups, in the order ``/apis`` lists them, with the version served.
GROUPS = (("apps", "v1"), ("autoscaling", "v2"))


def group_version(group: str, version: str) -> str:
    """``v1`` for the core group, ``<group>/<version>`` otherwise."""
    return f"{group}/{version}" if group else version


def lookup(group: str, plural: str, version: str = "v1") -> Resource | None:
    """The resource served as ``plural`` in ``group`` (``""`` = core) at ``version``,
    or None."""
    res = RESOURCES.get(plural)
    if res is None or res.group != group or res.version != version:
        return None
    return res


def _subresource_entry(res: Resource, sub: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": f"{res.plural}/{sub}",
        "singularName": "",
        "namespaced": res.namespaced,
        "kind": res.kind,
        "verbs": ["get", "patch", "update"],
    }
    if sub == "log":
        entry["verbs"] = ["get"]
    elif sub == "scale":
        entry.update(group="autoscaling", version="v1", kind="Scale")
    return entry


def resource_list(group: str, version: str = "v1") -> dict[str, Any]:
    """The APIResourceList for ``v1`` (group ``""``) or ``<group>/<version>``."""
    entries: list[dict[str, Any]] = []
    for res in RESOURCES.values():
        if res.group != group or res.version != version:
            continue
        entry: dict[str, Any] = {
            "name": res.plural,
            "singularName": res.singular,
            "namespaced": res.namespaced,
            "kind": res.kind,
            "verbs": list(VERBS),
        }
        if res.short_names:
            entry["shortNames"] = list(res.short_names)
        if res.categories:
            entry["categories"] = list(res.categories)
        entries.append(entry)
        entries.extend(_subresource_entry(res, sub) for sub in res.subresources)
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": group_version(group, version), "resources": entries}


def api_versions(server_address: str) -> dict[str, Any]:
    """The APIVersions document served at ``/api``."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def api_group_list() -> dict[str, Any]:
    """The APIGroupList served at ``/apis``: ``apps`` and ``autoscaling``, each with
    the one version served (which is therefore the preferred one)."""
    groups = []
    for group, version in GROUPS:
        entry = {"groupVersion": group_version(group, version), "version": version}
        groups.append({"name": group, "versions": [entry], "preferredVersion": entry})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
