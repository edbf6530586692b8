"""Writes: create (POST), replace (PUT), patch (PATCH) and delete (DELETE), on
objects and on their ``status`` subresource, each with ``dryRun=All``.

Every write is validated as the real server validates it, and every stored write
is followed by ``world.kick()`` so the controllers react at once. A dry run goes
through the same checks and returns the would-be object without storing it.
"""

from __future__ import annotations

import copy
import random
import uuid
from typing import Any

from aiohttp import web

from console.sandbox.kube import cascade
from console.sandbox.kube.body import dry_run, read_json, shaped
from console.sandbox.kube.context import Face, Target
from console.sandbox.kube.humanize import format_time
from console.sandbox.kube.patch import apply_patch, patch_type
from console.sandbox.kube.status import (
    ApiError,
    already_exists,
    bad_request,
    conflict,
    from_store_error,
    json_response,
    not_found,
    object_details,
)
from console.sandbox.kube.validation import apply_defaults, check_types, validate
from console.sandbox.store import GENERATED, StoreError

Manifest = dict[str, Any]

_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_RETURNS_DELETED = frozenset({"pods", "services"})  # the others answer with a Status
_SERVER_SET = ("uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp")


def _generated_name(prefix: str) -> str:
    return prefix + "".join(random.choice(_NAME_ALPHABET) for _ in range(5))


async def create(face: Face, request: web.Request, target: Target) -> web.Response:
    """POST a new object into the collection; 201 with the stored (or, dry run,
    would-be) object. Raises ``ApiError`` 400/404/409/422."""
    body = await read_json(request)
    obj = shaped(target, body)
    check_types(target.res, obj)
    meta = obj["metadata"]
    if meta.get("resourceVersion"):
        raise bad_request("resourceVersion should not be set on objects to be created")
    for field in _SERVER_SET:
        meta.pop(field, None)
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = _generated_name(meta["generateName"])
    apply_defaults(target.res, obj)
    validate(target.res, obj)
    store, name = face.store, meta["name"]
    if target.namespace and store.get("namespaces", "", target.namespace) is None:
        raise ApiError("NotFound", f'namespaces "{target.namespace}" not found',
                       details={"name": target.namespace, "kind": "namespaces"})
    if store.get(target.res.plural, target.store_namespace, name) is not None:
        raise already_exists(target.res, name)
    if dry_run(request):
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = format_time(face.now())
        if target.res.plural in GENERATED:
            meta["generation"] = 1
        return json_response(obj, status=201)
    try:
        stored = store.create(target.res.plural, obj)
    except StoreError as exc:
        raise from_store_error(target.res, name, exc) from exc
    face.world.kick()
    return json_response(stored, status=201)


def commit_update(face: Face, target: Target, current: Manifest, new: Manifest, *,
                  expect_rv: str | None, dry: bool) -> Manifest:
    """Store ``new`` in place of ``current`` (or, dry run, return what would be
    stored). Raises ``ApiError`` 409 Conflict when ``expect_rv`` is stale."""
    name = current["metadata"]["name"]
    if expect_rv and expect_rv != current["metadata"].get("resourceVersion"):
        raise conflict(target.res, name)
    if dry:
        result = copy.deepcopy(new)
        meta, old_meta = result["metadata"], current["metadata"]
        for field in ("uid", "creationTimestamp", "resourceVersion"):
            meta[field] = old_meta.get(field)
        if "generation" in old_meta:
            changed = new.get("spec") != current.get("spec")
            meta["generation"] = old_meta["generation"] + (1 if changed else 0)
        return result
    try:
        stored = face.store.update(target.res.plural, new, expect_rv=expect_rv)
    except StoreError as exc:
        raise from_store_error(target.res, name, exc) from exc
    face.world.kick()
    return stored


def _merge_subresource(target: Target, current: Manifest, incoming: Manifest) -> Manifest:
    """What a write to the object (or to its ``status``) actually changes: the status
    subresource writes only status; the main resource everything except status."""
    if target.sub == "status":
        merged = copy.deepcopy(current)
        merged["status"] = incoming.get("status", {})
        return merged
    merged = copy.deepcopy(incoming)
    if "status" in target.res.subresources:
        if "status" in current:
            merged["status"] = copy.deepcopy(current["status"])
        else:
            merged.pop("status", None)
    for field in ("uid", "creationTimestamp", "deletionTimestamp", "generation"):
        if field in current["metadata"]:
            merged["metadata"][field] = current["metadata"][field]
    return merged


async def replace(face: Face, request: web.Request, target: Target) -> web.Response:
    """PUT a whole object (or its status); a ``metadata.resourceVersion`` in the body
    must be current. Raises ``ApiError`` 400/404/409/422."""
    assert target.name is not None
    incoming = shaped(target, await read_json(request), name=target.name)
    check_types(target.res, incoming)
    current = face.current(target)
    new = _merge_subresource(target, current, incoming)
    validate(target.res, new, current)
    expect_rv = incoming["metadata"].get("resourceVersion") or None
    stored = commit_update(face, target, current, new, expect_rv=expect_rv,
                           dry=dry_run(request))
    return json_response(stored)


async def patch(face: Face, request: web.Request, target: Target) -> web.Response:
    """PATCH an object (or its status) with a JSON, merge or strategic merge patch.
    A resourceVersion the patch sets acts as a precondition. Raises ``ApiError``
    400/404/409/415/422."""
    assert target.name is not None
    media = patch_type(request.headers.get("Content-Type", ""))
    body = await read_json(request)
    current = face.current(target)
    patched = apply_patch(media, current, body)
    incoming = shaped(target, patched, name=target.name)
    check_types(target.res, incoming)
    new = _merge_subresource(target, current, incoming)
    validate(target.res, new, current)
    expect_rv = incoming["metadata"].get("resourceVersion") or None
    stored = commit_update(face, target, current, new, expect_rv=expect_rv,
                           dry=dry_run(request))
    return json_response(stored)


def _check_preconditions(target: Target, current: Manifest, options: Any) -> None:
    pre = (options or {}).get("preconditions") or {} if isinstance(options, dict) else {}
    meta = current["metadata"]
    if pre.get("uid") and pre["uid"] != meta.get("uid"):
        raise ApiError("Conflict", f"Precondition failed: UID in precondition: {pre['uid']}, "
                       f"UID in object meta: {meta.get('uid')}",
                       details=object_details(target.res, meta["name"]))
    if pre.get("resourceVersion") and pre["resourceVersion"] != meta.get("resourceVersion"):
        raise ApiError("Conflict", "Precondition failed: ResourceVersion in precondition: "
                       f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                       f"{meta.get('resourceVersion')}",
                       details=object_details(target.res, meta["name"]))


async def delete(face: Face, request: web.Request, target: Target) -> web.Response:
    """DELETE an object; its dependents (by ownerReferences) go too, unless
    ``propagationPolicy=Orphan``. Pods and services answer with the deleted object,
    other kinds with a Success Status, as the real server (and its OpenAPI) does.
    Raises ``ApiError`` 404/409."""
    assert target.name is not None
    options = await read_json(request)
    current = face.current(target)
    _check_preconditions(target, current, options)
    policy = request.query.get("propagationPolicy") or (
        options.get("propagationPolicy") if isinstance(options, dict) else None)
    if not dry_run(request, options):
        try:
            face.store.delete(target.res.plural, target.store_namespace, target.name)
        except StoreError as exc:
            raise not_found(target.res, target.name) from exc
        cascade.release_dependents(face.store, current, orphan=policy == "Orphan")
        face.world.kick()
    if target.res.plural in _RETURNS_DELETED:
        return json_response(face.serialisable(target, current))
    details = object_details(target.res, target.name)
    details["uid"] = current["metadata"].get("uid", "")
    return json_response({"kind": "Status", "apiVersion": "v1", "metadata": {},
                          "status": "Success", "details": details})
