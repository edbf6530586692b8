"""``?watch=1``: a collection's changes as newline-delimited JSON watch events.

A watch starts from a ``resourceVersion`` (or with the current objects as ADDED
events), sends BOOKMARKs when the client allows them, ends after
``timeoutSeconds``, and ends with an ERROR event carrying a ``410 Expired`` Status
when the version is older than the store's history — as the real server does.
Watchers sleep on the store's change signal; nothing polls.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from console.sandbox.kube.context import Face, Target
from console.sandbox.kube.encoding import dumps
from console.sandbox.kube.reads import flag, int_param, selector
from console.sandbox.kube.selectors import Predicate
from console.sandbox.kube.status import bad_request, failure_status
from console.sandbox.kube.tables import table, wants_table
from console.sandbox.store import Change, Expired

Manifest = dict[str, Any]


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
        """Whether ``obj`` is in the watched namespace and selection."""
        meta = obj["metadata"]
        if self.target.namespace and meta.get("namespace") != self.target.namespace:
            return False
        return self.predicate is None or self.predicate(obj)

    def event(self, type_: str, obj: Manifest) -> bytes:
        """One event line: the object itself, or a one-row Table for kubectl."""
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
        """The event lines this watcher gets for ``changes`` (possibly none)."""
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
        """A BOOKMARK event at ``rv`` (marking the end of the initial events if asked)."""
        meta: Manifest = {"resourceVersion": str(rv)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj = {"kind": self.target.res.kind, "apiVersion": self.target.res.api_version,
               "metadata": meta}
        return self.event("BOOKMARK", obj)

    def expired(self, message: str) -> bytes:
        """The ERROR event that ends a watch from a compacted version."""
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
        send_initial = flag(request, "sendInitialEvents")
        if not send_initial and rv_text not in ("", "0") and not rv_text.isdigit():
            raise bad_request(f"invalid resource version: {rv_text}")
        since = None if send_initial or rv_text in ("", "0") else int(rv_text)
        timeout = int_param(request, "timeoutSeconds") or limit
        return cls(since, send_initial, flag(request, "allowWatchBookmarks"),
                   min(timeout, limit))


async def watch(face: Face, request: web.Request, target: Target) -> web.StreamResponse:
    """Stream watch events for ``target``'s collection until ``timeoutSeconds`` (or
    the face's limit) passes or the client goes away. Waits on the store's change
    signal; never polls. Raises ``ApiError`` 400 for bad parameters (before the
    stream starts); an expired ``resourceVersion`` ends the stream with an ERROR
    event carrying a 410 Expired Status."""
    query = WatchQuery.parse(request, face.watch_timeout)
    include = request.query.get("includeObject", "Metadata")
    view = _WatchView(face, target, selector(request, target),
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
