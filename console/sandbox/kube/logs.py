"""``GET /api/v1/namespaces/{ns}/pods/{name}/log``: a container's log as text/plain,
with ``container``, ``previous``, ``tailLines``, ``sinceSeconds``, ``sinceTime``,
``timestamps``, ``limitBytes`` and ``follow`` (streamed until the container
instance ends or the client goes away), refusing what the kubelet refuses with
the real server's messages."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from console.sandbox.kube.context import Face, Target
from console.sandbox.kube.humanize import format_time, parse_time
from console.sandbox.kube.status import bad_request

Manifest = dict[str, Any]


def _container(pod: Manifest, requested: str) -> str:
    name = pod["metadata"]["name"]
    spec = pod.get("spec") or {}
    containers = [c["name"] for c in spec.get("containers") or []]
    init = [c["name"] for c in spec.get("initContainers") or []]
    if not requested:
        if len(containers) == 1:
            return containers[0]
        message = (f"a container name must be specified for pod {name}, choose one of: "
                   f"[{' '.join(containers)}]")
        if init:
            message += f" or one of the init containers: [{' '.join(init)}]"
        raise bad_request(message)
    if requested not in containers and requested not in init:
        raise bad_request(f"container {requested} is not valid for pod {name}")
    return requested


def _waiting_reason(pod: Manifest, container: str) -> str:
    status = pod.get("status") or {}
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses")
                                                         or []):
        if cs.get("name") == container:
            return str(((cs.get("state") or {}).get("waiting") or {}).get("reason")
                       or "ContainerCreating")
    return "ContainerCreating"


def _format(lines: list[tuple[float, str]], timestamps: bool) -> bytes:
    if timestamps:
        return "".join(f"{format_time(ts, nanos=True)} {text}\n" for ts, text in lines).encode()
    return "".join(f"{text}\n" for _, text in lines).encode()


def _int(request: web.Request, name: str) -> int | None:
    text = request.query.get(name)
    if not text:
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise bad_request(f"invalid value for {name}: {text!r}") from exc


async def pod_logs(face: Face, request: web.Request, target: Target) -> web.StreamResponse:
    """The log of one container of the pod ``target`` names. Raises ``ApiError`` 404
    for a missing pod and 400 for an ambiguous or unknown container, a pod without a
    node, a container still waiting to start, or ``previous`` with no earlier instance."""
    pod = face.current(target)
    query = request.query
    container = _container(pod, query.get("container", ""))
    name, namespace = pod["metadata"]["name"], target.store_namespace
    previous = query.get("previous", "").lower() in ("1", "true")
    follow = query.get("follow", "").lower() in ("1", "true") and not previous
    timestamps = query.get("timestamps", "").lower() in ("1", "true")
    if not (pod.get("spec") or {}).get("nodeName"):
        raise bad_request(f"pod {name} does not have a host assigned")
    try:
        lines = face.world.logs.lines(namespace, name, container, previous=previous)
    except LookupError as exc:
        if previous:
            raise bad_request(f'previous terminated container "{container}" in pod "{name}" '
                              "not found") from exc
        raise bad_request(f'container "{container}" in pod "{name}" is waiting to start: '
                          f"{_waiting_reason(pod, container)}") from exc
    since_seconds, since_time = _int(request, "sinceSeconds"), parse_time(query.get("sinceTime"))
    if since_seconds is not None:
        since_time = face.now() - since_seconds
    if since_time is not None:
        lines = [line for line in lines if line[0] >= since_time]
    tail = _int(request, "tailLines")
    if tail is not None:
        lines = lines[-tail:] if tail > 0 else []
    limit = _int(request, "limitBytes")
    body = _format(lines, timestamps)
    if not follow:
        return web.Response(body=body[:limit] if limit else body, content_type="text/plain")
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    sent = 0
    try:
        stream = face.world.logs.follow(namespace, name, container)
        if body:
            await response.write(body[:limit] if limit else body)
            sent += len(body)
        async for line in stream:
            if limit and sent >= limit:
                break
            chunk = _format([line], timestamps)
            await response.write(chunk)
            sent += len(chunk)
    except (ConnectionResetError, LookupError):
        pass
    return response
