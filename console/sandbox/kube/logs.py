"""``GET /api/v1/namespaces/{ns}/pods/{name}/log``: a container's log as text/plain,
with ``container``, ``previous``, ``tailLines``, ``sinceSeconds``, ``sinceTime``,
``timestamps``, ``limitBytes`` and ``follow`` (streamed until the container
instance ends or the client goes away), refusing what the kubelet refuses with
the real server's messages."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from console.sandbox.kube.context import Face, Target
from console.sandbox.kube.humanize import format_time, parse_time
from console.sandbox.kube.status import ApiError, bad_request

Manifest = dict[str, Any]
Line = tuple[float, str]


@dataclass(frozen=True, slots=True)
class LogQuery:
    """The log request's parameters, parsed."""

    container: str
    previous: bool
    follow: bool
    timestamps: bool
    since: float | None
    tail: int | None
    limit: int | None

    @classmethod
    def parse(cls, request: web.Request, now: float) -> LogQuery:
        """Read the query string. Raises ``ApiError`` 400 for a non-integer number."""
        query = request.query

        def flag(name: str) -> bool:
            return query.get(name, "").lower() in ("1", "true")

        def number(name: str) -> int | None:
            text = query.get(name)
            if not text:
                return None
            try:
                return int(text)
            except ValueError as exc:
                raise bad_request(f"invalid value for {name}: {text!r}") from exc

        since_seconds = number("sinceSeconds")
        since = now - since_seconds if since_seconds is not None else parse_time(
            query.get("sinceTime"))
        return cls(query.get("container", ""), flag("previous"),
                   flag("follow") and not flag("previous"), flag("timestamps"), since,
                   number("tailLines"), number("limitBytes"))

    def select(self, lines: list[Line]) -> list[Line]:
        """The history lines this request shows (``sinceSeconds``, then ``tailLines``)."""
        if self.since is not None:
            lines = [line for line in lines if line[0] >= self.since]
        if self.tail is not None:
            lines = lines[-self.tail:] if self.tail > 0 else []
        return lines

    def render(self, lines: list[Line]) -> bytes:
        """Lines as the kubelet writes them, with RFC 3339 prefixes if asked."""
        if self.timestamps:
            return "".join(f"{format_time(t, nanos=True)} {text}\n" for t, text in lines).encode()
        return "".join(f"{text}\n" for _, text in lines).encode()


def _container(pod: Manifest, requested: str) -> str:
    name = pod["metadata"]["name"]
    spec = pod.get("spec") or {}
    containers = [c["name"] for c in spec.get("containers") or []]
    init = [c["name"] for c in spec.get("initContainers") or []]
    if not requested:
        if len(containers) == 1:
            return str(containers[0])
        message = (f"a container name must be specified for pod {name}, choose one of: "
                   f"[{' '.join(containers)}]")
        if init:
            message += f" or one of the init containers: [{' '.join(init)}]"
        raise bad_request(message)
    if requested not in containers and requested not in init:
        raise bad_request(f"container {requested} is not valid for pod {name}")
    return requested


def _never_started(pod: Manifest, container: str) -> str | None:
    """The waiting reason of a container that has not run yet, or None if it has."""
    status = pod.get("status") or {}
    for cs in (status.get("containerStatuses") or []) + (
            status.get("initContainerStatuses") or []):
        if cs.get("name") != container:
            continue
        waiting = (cs.get("state") or {}).get("waiting")
        if waiting is None or cs.get("restartCount") or (
                (cs.get("lastState") or {}).get("terminated")):
            return None
        return str(waiting.get("reason") or "ContainerCreating")
    return "ContainerCreating"


def _waiting(container: str, pod: str, reason: str) -> ApiError:
    return bad_request(f'container "{container}" in pod "{pod}" is waiting to start: {reason}')


def _previous_missing(container: str, pod: str) -> ApiError:
    return bad_request(f'previous terminated container "{container}" in pod "{pod}" not found')


async def pod_logs(face: Face, request: web.Request, target: Target) -> web.StreamResponse:
    """The log of one container of the pod ``target`` names. Raises ``ApiError`` 404
    for a missing pod and 400 for an ambiguous or unknown container, a pod without a
    node, a container still waiting to start, or ``previous`` with no earlier instance."""
    pod = face.current(target)
    query = LogQuery.parse(request, face.now())
    container = _container(pod, query.container)
    name, namespace = pod["metadata"]["name"], target.store_namespace
    if not (pod.get("spec") or {}).get("nodeName"):
        raise bad_request(f"pod {name} does not have a host assigned")
    waiting = None if query.previous else _never_started(pod, container)
    if waiting is not None:
        raise _waiting(container, name, waiting)
    if query.follow:
        return await _follow(face, request, query, (namespace, name, container))
    try:
        lines = face.world.logs.lines(namespace, name, container, previous=query.previous)
    except LookupError as exc:
        if query.previous:
            raise _previous_missing(container, name) from exc
        raise _waiting(container, name, "ContainerCreating") from exc
    body = query.render(query.select(lines))
    return web.Response(body=body[:query.limit] if query.limit else body,
                        content_type="text/plain")


async def _follow(face: Face, request: web.Request, query: LogQuery,
                  key: tuple[str, str, str]) -> web.StreamResponse:
    """Stream the history, then new lines until the instance ends or the client leaves.
    Following starts before the history is read, so no line is lost in between;
    lines the history already holds are not sent twice."""
    source = face.world.logs
    stream: AsyncIterator[Line] = source.follow(*key)
    pending: asyncio.Future[Line | None] = asyncio.ensure_future(anext(stream, None))
    try:
        await asyncio.sleep(0)
        try:
            lines = source.lines(*key)
        except LookupError as exc:
            raise _waiting(key[2], key[1], "ContainerCreating") from exc
        horizon = lines[-1][0] if lines else float("-inf")
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        sent = 0
        with contextlib.suppress(ConnectionResetError, LookupError):
            chunk = query.render(query.select(lines))
            while query.limit is None or sent < query.limit:
                if chunk:
                    if query.limit is not None:
                        chunk = chunk[:query.limit - sent]
                    await response.write(chunk)
                    sent += len(chunk)
                line = await pending
                if line is None:
                    break
                pending = asyncio.ensure_future(anext(stream, None))
                chunk = query.render([line]) if line[0] > horizon else b""
        return response
    finally:
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration, LookupError):
            await pending
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()
