"""Reading write requests: the JSON body, ``dryRun``, and the object the body must
describe (right kind, and the namespace and name the URL gives)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from console.sandbox.kube.context import Target
from console.sandbox.kube.status import ApiError, bad_request

Manifest = dict[str, Any]

_TEMPLATED = frozenset({"deployments", "replicasets"})


async def read_json(request: web.Request) -> Any:
    """The request body parsed as JSON (None when empty). Raises ``ApiError`` 400."""
    raw = await request.read()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise bad_request(f"couldn't get version/kind; json parse error: {exc}") from exc


def dry_run(request: web.Request, options: Any = None) -> bool:
    """Whether the write is a dry run (``?dryRun=All`` or DeleteOptions.dryRun).
    Raises ``ApiError`` 400 for a value other than ``All``."""
    values = list(request.query.getall("dryRun", []))
    if isinstance(options, dict):
        values += list(options.get("dryRun") or [])
    for value in values:
        if value != "All":
            raise ApiError("Invalid", f'dryRun: Unsupported value: "{value}": supported '
                           'values: "All"', code=422)
    return bool(values)


def without_nulls(value: Any) -> Any:
    """A copy of ``value`` with every ``null`` map entry dropped, as decoding into the
    API's typed structs drops them."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def shaped(target: Target, body: Any, *, name: str | None = None) -> Manifest:
    """A copy of ``body``, normalised as a decode into the API's types normalises it
    (nulls dropped; a pod template's ``creationTimestamp: null`` kept), as an object
    of ``target``'s kind placed in the URL's namespace (and named ``name`` when the
    URL names it). Raises ``ApiError`` 400 when the body is not an object of that
    kind or contradicts the URL."""
    res = target.res
    if not isinstance(body, dict):
        raise bad_request(f"the body of the request must be a {res.kind} object")
    obj: Manifest = without_nulls(body)
    template = (obj.get("spec") or {}).get("template") if res.plural in _TEMPLATED else None
    if isinstance(template, dict):
        # Go serialises a pod template's zero creationTimestamp as null, always.
        template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    if obj.get("kind", res.kind) != res.kind:
        raise bad_request(f"the kind in the data ({obj['kind']}) does not match the expected "
                          f"kind ({res.kind})")
    if obj.get("apiVersion", res.api_version) != res.api_version:
        raise bad_request(f"the API version in the data ({obj['apiVersion']}) does not match "
                          f"the expected API version ({res.api_version})")
    obj["kind"], obj["apiVersion"] = res.kind, res.api_version
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise bad_request("metadata must be an object")
    if res.namespaced:
        if meta.get("namespace") and meta["namespace"] != target.namespace:
            raise bad_request("the namespace of the provided object does not match the "
                              "namespace sent on the request")
        meta["namespace"] = target.namespace
    else:
        meta.pop("namespace", None)
    if name is not None:
        if meta.get("name") and meta["name"] != name:
            raise bad_request(f"the name of the object ({meta['name']}) does not match the "
                              f"name on the URL ({name})")
        meta["name"] = name
    return obj
