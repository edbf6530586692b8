"""Where Kubernetes objects live in the API, and manifests as the console shows them."""

from __future__ import annotations

from urllib.parse import quote

from adapters.base import Kind
from adapters.kube_parse import Raw


def collection_path(kind: Kind, namespace: str | None = None) -> str:
    """The API path of ``kind`` in ``namespace`` (all namespaces when None or
    cluster-scoped): "/api/v1/namespaces/ml/pods", "/apis/apps/v1/deployments"."""
    group = kind.api_group_version
    prefix = "/api/v1" if group == "v1" else f"/apis/{group}"
    if kind.namespaced and namespace:
        return f"{prefix}/namespaces/{quote(namespace, safe='')}/{kind.value}"
    return f"{prefix}/{kind.value}"


def object_path(kind: Kind, namespace: str | None, name: str) -> str:
    """The API path of one object."""
    return f"{collection_path(kind, namespace)}/{quote(name, safe='')}"


def without_managed_fields(obj: Raw) -> Raw:
    """``obj`` without ``metadata.managedFields`` (a shallow copy where needed)."""
    meta = obj.get("metadata")
    if not meta or "managedFields" not in meta:
        return obj
    return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
