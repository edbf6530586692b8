"""GET on resources: get one object, list a collection (paged, filtered, optionally
as a Table), and watch a collection as a stream of newline-delimited JSON events."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from console.sandbox.kube.context import Face, Target
from console.sandbox.kube.encoding import dumps
from console.sandbox.kube.paging import paginate
from console.sandbox.kube.selectors import Predicate, combine, field_selector, label_selector
from console.sandbox.kube.status import bad_request, failure_status, json_response
from console.sandbox.kube.tables import table, wants_table
from console.sandbox.store import Change, Expired

Manifest = dict[str, Any]


def _int_param(request: web.Request, name: str, default: int = 0) -> int:
    text = request.query.get(name, "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise bad_request(f"invalid value for {name}: {text!r}") from exc


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in ("1", "true")


def _selector(request: web.Request, target: Target) -> Predicate | None:
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
    predicate = _selector(request, target)
    items = face.store.list(target.res.plural, target.namespace)
    if predicate is not None:
        items = [obj for obj in items if predicate(obj)]
    page, metadata = paginate(face.store, target.res.plural, items,
                              limit=_int_param(request, "limit"),
                              token=request.query.get("continue"),
                              filtered=predicate is not None)
    if wants_table(request.headers.get("Accept", "")):
        include = request.query.get("includeObject", "Metadata")
        return json_response(table(target.res.plural, page, now=face.now(), include=include,
                                   metadata=metadata))
    body = face.encoder.list_body(target.res.plural, f"{target.res.kind}List",
                                  target.res.api_version, metadata, page)
    return web.Response(body=body, content_type="application/json")


class _WatchView:
    """Turns store changes into the events one watcher should see: only its
    namespace, only objects its selectors match, and an object that stops (or
    starts) matching is reported as DELETED (or ADDED), as the real server does."""

    def __init__(self, face: Face, target: Target, predicate: Predicate | None,
                 as_table: str | None) -> None:
        self.face, self.target, self.predicate = face, target, predicate
        self.as_table = as_table
        self.visible: set[tuple[str, str]] = set()
        self.headers_sent = False

    def matches(self, obj: Manifest) -> bool:
        meta = obj["metadata"]
        if self.target.namespace and meta.get("namespace") != self.target.namespace:
            return False
        return self.predicate is None or self.predicate(obj)

    def event(self, type_: str, obj: Manifest) -> bytes:
        if type_ == "BOOKMARK":
            return dumps({"type": type_, "object": obj}) + b"\n"
        if self.as_table is None:
            return self.face.encoder.event(type_, self.target.res.plural,
                                           self.face.serialisable(self.target, obj))
        body = table(self.target.res.plural, [obj], now=self.face.now(),
                     include=self.as_table, headers=not self.headers_sent)
        self.headers_sent = True
        return dumps({"type": type_, "object": body}) + b"\n"

    def initial(self, *, send: bool) -> bytes:
        """Note which objects the watcher can currently see; with ``send``, also
        return them as ADDED events (a watch without a resourceVersion)."""
        out = []
        for obj in self.face.store.list(self.target.res.plural, self.target.namespace):
            if self.matches(obj):
                self.visible.add(_key(obj))
                if send:
                    out.append(self.event("ADDED", obj))
        return b"".join(out)

    def changes(self, changes: list[Change]) -> bytes:
        out = []
        for change in changes:
            key, match = _key(change.obj), self.matches(change.obj)
            was = key in self.visible
            if change.type == "DELETED" or not match:
                self.visible.discard(key)
                if was or (change.type == "DELETED" and match):
                    out.append(self.event("DELETED", change.obj))
            else:
                self.visible.add(key)
                kind = "MODIFIED" if was and change.type == "MODIFIED" else "ADDED"
                out.append(self.event(kind, change.obj))
        return b"".join(out)

    def bookmark(self, rv: int, *, initial_end: bool = False) -> bytes:
        meta: Manifest = {"resourceVersion": str(rv)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj = {"kind": self.target.res.kind, "apiVersion": self.target.res.api_version,
               "metadata": meta}
        return self.event("BOOKMARK", obj)

    def expired(self, message: str) -> bytes:
        return dumps({"type": "ERROR", "object": failure_status(410, "Expired", message)}) + b"\n"


def _key(obj: Manifest) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


@dataclass(frozen=True, slots=True)
class WatchQuery:
    """A watch request's parameters."""

    since: int | None  # None: start with the current objects as ADDED events
    initial_end_bookmark: bool  # sendInitialEvents: mark their end with a bookmark
    bookmarks: bool
    timeout: float

    @classmethod
    def parse(cls, request: web.Request, limit: float) -> WatchQuery:
        """Read the query string. Raises ``ApiError`` 400 for a malformed version."""
        rv_text = request.query.get("resourceVersion", "")
        send_initial = _flag(request, "sendInitialEvents")
        if not send_initial and rv_text not in ("", "0") and not rv_text.isdigit():
            raise bad_request(f"invalid resource version: {rv_text}")
        since = None if send_initial or rv_text in ("", "0") else int(rv_text)
        timeout = _int_param(request, "timeoutSeconds") or limit
        return cls(since, send_initial, _flag(request, "allowWatchBookmarks"),
                   min(timeout, limit))


async def watch(face: Face, request: web.Request, target: Target) -> web.StreamResponse:
    """Stream watch events for ``target``'s collection until ``timeoutSeconds`` (or
    the face's limit) passes or the client goes away. Waits on the store's change
    signal; never polls. Raises ``ApiError`` 400 for bad parameters (before the
    stream starts); an expired ``resourceVersion`` ends the stream with an ERROR
    event carrying a 410 Expired Status."""
    query = WatchQuery.parse(request, face.watch_timeout)
    include = request.query.get("includeObject", "Metadata")
    view = _WatchView(face, target, _selector(request, target),
                      include if wants_table(request.headers.get("Accept", "")) else None)
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    with contextlib.suppress(ConnectionResetError):
        await _stream(face, view, response, query)
    return response


async def _stream(face: Face, view: _WatchView, response: web.StreamResponse,
                  query: WatchQuery) -> None:
    store, loop, plural = face.store, asyncio.get_running_loop(), view.target.res.plural
    deadline = loop.time() + query.timeout
    chunk = view.initial(send=query.since is None)
    if query.since is None:
        last = store.resource_version
        if query.initial_end_bookmark and query.bookmarks:
            chunk += view.bookmark(last, initial_end=True)
        if chunk:
            await response.write(chunk)
    else:
        last = query.since
    next_bookmark = loop.time() + face.bookmark_interval
    while True:
        try:
            changes = store.changes_since(plural, last)
        except Expired as exc:
            await response.write(view.expired(str(exc)))
            return
        last = max(last, store.resource_version)
        chunk = view.changes(changes)
        if query.bookmarks and loop.time() >= next_bookmark:
            chunk += view.bookmark(last)
            next_bookmark = loop.time() + face.bookmark_interval
        if chunk:
            await response.write(chunk)
        if loop.time() >= deadline:
            return
        wake = min(deadline, next_bookmark) if query.bookmarks else deadline
        await store.wait_for_change(last, max(0.0, wake - loop.time()))
