"""The ``scale`` subresource of Deployments and ReplicaSets: an autoscaling/v1
Scale view of ``spec.replicas``, read with GET and written with PUT or PATCH."""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from console.sandbox.kube.body import dry_run, read_json
from console.sandbox.kube.context import Face, Target
from console.sandbox.kube.patch import apply_patch, patch_type
from console.sandbox.kube.status import bad_request, json_response
from console.sandbox.kube.validation import validate_scale
from console.sandbox.kube.writes import commit_update

Manifest = dict[str, Any]


def _selector_text(selector: Manifest) -> str:
    terms = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "Exists":
            terms.append(str(key))
        elif op == "DoesNotExist":
            terms.append(f"!{key}")
        else:
            terms.append(f"{key} {str(op).lower()} ({','.join(sorted(values))})")
    return ",".join(terms)


def scale_of(obj: Manifest) -> Manifest:
    """The autoscaling/v1 Scale of a Deployment or ReplicaSet manifest."""
    meta = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                           "creationTimestamp") if k in meta},
        "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
        "status": {
            "replicas": (obj.get("status") or {}).get("replicas", 0),
            "selector": _selector_text((obj.get("spec") or {}).get("selector") or {}),
        },
    }


def get_scale(face: Face, target: Target) -> web.Response:
    """The Scale of the object ``target`` names. Raises ``ApiError`` 404."""
    return json_response(scale_of(face.current(target)))


def _apply(face: Face, request: web.Request, target: Target, current: Manifest,
           scale: Any) -> web.Response:
    assert target.name is not None
    if not isinstance(scale, dict) or not isinstance(scale.get("spec"), dict):
        raise bad_request("the body of the request must be a Scale object with a spec")
    if scale.get("kind", "Scale") != "Scale":
        raise bad_request(f"the kind in the data ({scale['kind']}) does not match Scale")
    replicas = scale["spec"].get("replicas", 0)
    validate_scale(target.name, replicas)
    new = copy.deepcopy(current)
    new.setdefault("spec", {})["replicas"] = replicas
    expect_rv = (scale.get("metadata") or {}).get("resourceVersion") or None
    stored = commit_update(face, target, current, new, expect_rv=expect_rv,
                           dry=dry_run(request))
    return json_response(scale_of(stored))


async def replace_scale(face: Face, request: web.Request, target: Target) -> web.Response:
    """PUT a Scale: sets ``spec.replicas``. Raises ``ApiError`` 400/404/409/422."""
    body = await read_json(request)
    return _apply(face, request, target, face.current(target), body)


async def patch_scale(face: Face, request: web.Request, target: Target) -> web.Response:
    """PATCH the Scale (kubectl sends a merge patch ``{"spec":{"replicas":N}}``).
    Raises ``ApiError`` 400/404/409/415/422."""
    media = patch_type(request.headers.get("Content-Type", ""))
    body = await read_json(request)
    current = face.current(target)
    patched = apply_patch(media, scale_of(current), body)
    return _apply(face, request, target, current, patched)
