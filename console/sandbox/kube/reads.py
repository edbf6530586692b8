"""GET on resources: get one object, or list a collection (paged, filtered,
optionally as a Table); and the query parameters reads share with watches."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from console.sandbox.kube.context import Face, Target
from console.sandbox.kube.paging import paginate
from console.sandbox.kube.selectors import Predicate, combine, field_selector, label_selector
from console.sandbox.kube.status import bad_request, json_response
from console.sandbox.kube.tables import table, wants_table

Manifest = dict[str, Any]


def int_param(request: web.Request, name: str, default: int = 0) -> int:
    """The integer query parameter ``name`` (``default`` when absent). Raises
    ``ApiError`` 400 when it is not an integer."""
    text = request.query.get(name, "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise bad_request(f"invalid value for {name}: {text!r}") from exc


def flag(request: web.Request, name: str) -> bool:
    """Whether the boolean query parameter ``name`` is set (``1`` or ``true``)."""
    return request.query.get(name, "").lower() in ("1", "true")


def selector(request: web.Request, target: Target) -> Predicate | None:
    """The request's label and field selectors as one predicate (None: everything).
    Raises ``ApiError`` 400 for a malformed or unsupported selector."""
    return combine(label_selector(request.query.get("labelSelector")),
                   field_selector(target.res.plural, request.query.get("fieldSelector")))


def get_object(face: Face, request: web.Request, target: Target) -> web.Response:
    """The object ``target`` names, or a one-row Table when kubectl asks for one.
    Raises ``ApiError`` 404 NotFound."""
    obj = face.current(target)
    if wants_table(request.headers.get("Accept", "")):
        include = request.query.get("includeObject", "Metadata")
        meta = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
        return json_response(table(target.res.plural, [obj], now=face.now(), include=include,
                                   metadata=meta))
    return json_response(face.serialisable(target, obj))


def list_objects(face: Face, request: web.Request, target: Target) -> web.Response:
    """A ``<Kind>List`` (or Table) of the matching objects in the namespace, or in
    every namespace, one page at a time. Raises ``ApiError`` 400 / 410."""
    predicate = selector(request, target)
    items = face.store.list(target.res.plural, target.namespace)
    if predicate is not None:
        items = [obj for obj in items if predicate(obj)]
    page, metadata = paginate(face.store, target.res.plural, items,
                              limit=int_param(request, "limit"),
                              token=request.query.get("continue"),
                              filtered=predicate is not None)
    if wants_table(request.headers.get("Accept", "")):
        include = request.query.get("includeObject", "Metadata")
        return json_response(table(target.res.plural, page, now=face.now(), include=include,
                                   metadata=metadata))
    body = face.encoder.list_body(target.res.plural, f"{target.res.kind}List",
                                  target.res.api_version, metadata, page)
    return web.Response(body=body, content_type="application/json")
