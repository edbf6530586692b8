"""The sandbox's Docker Engine API face (aiohttp), for the docker CLI and SDK.

Serves the endpoints the console's Docker adapter and the everyday CLI commands
use — ``docker version|info|images|history|tag|rmi|push|ps|logs|stats|start|
stop|restart|build`` — over the state of a ``DockerEngine``. Paths are accepted
with any ``/vX.Y`` prefix and without one. Errors are ``{"message": ...}`` with
the daemon's status codes and wording; progress streams (build, push) are JSON
lines; logs are multiplexed frames. ``/_ping`` announces the legacy builder
(``Builder-Version: 1``), so ``docker build`` streams the classic steps.
"""

from __future__ import annotations

import asyncio
import json
import struct
import tarfile
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from adapters.docker_reference import reference_problem
from console.sandbox.docker_build import BuildRequest, read_context
from console.sandbox.docker_engine import API_VERSION, ENGINE_VERSION, DockerEngine, WorldLike
from console.sandbox.docker_format import EngineError, rfc3339
from console.sandbox.docker_views import (
    container_inspect,
    container_summary,
    image_history,
    image_inspect,
    list_images,
)

ENGINE = web.AppKey("engine", DockerEngine)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_FRAME = struct.Struct(">BxxxL")
_FOLLOW_POLL = 0.25


def _flag(request: web.Request, name: str, default: bool = False) -> bool:
    """A boolean query parameter as the daemon reads it (anything but "", 0, no,
    false, none is true)."""
    value = request.query.get(name)
    if value is None:
        return default
    return value.strip().lower() not in ("", "0", "no", "false", "none")


def _engine(request: web.Request) -> DockerEngine:
    return request.app[ENGINE]


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Sync the world's images, and answer ``EngineError`` as the daemon does."""
    _engine(request).sync()
    try:
        return await handler(request)
    except EngineError as exc:
        return web.json_response({"message": exc.message}, status=exc.status)


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Api-Version"] = API_VERSION
    response.headers["Docker-Experimental"] = "false"
    response.headers["Ostype"] = "linux"
    response.headers["Server"] = f"Docker/{ENGINE_VERSION} (linux)"


async def _json_stream(request: web.Request, messages: Any) -> web.StreamResponse:
    """Stream ``messages`` (an async iterator of dicts) as the daemon's JSON lines."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    try:
        async for message in messages:
            await response.write(json.dumps(message).encode() + b"\r\n")
    except ConnectionResetError:
        return response
    await response.write_eof()
    return response


# ----------------------------------------------------------------------- system


async def ping(request: web.Request) -> web.StreamResponse:
    return web.Response(
        text="OK",
        headers={
            "Builder-Version": "1",
            "Swarm": "inactive",
            "Cache-Control": "no-cache, no-store, must-revalidate",
            "Pragma": "no-cache",
        },
    )


async def version(request: web.Request) -> web.StreamResponse:
    return web.json_response(_engine(request).version())


async def info(request: web.Request) -> web.StreamResponse:
    return web.json_response(_engine(request).info())


# ----------------------------------------------------------------------- images


async def images_list(request: web.Request) -> web.StreamResponse:
    engine = _engine(request)
    return web.json_response(
        list_images(
            engine.images, all_=_flag(request, "all"), filters=request.query.get("filters", "")
        )
    )


async def image_inspect_(request: web.Request) -> web.StreamResponse:
    return web.json_response(
        image_inspect(_engine(request).images.require(request.match_info["name"]))
    )


async def image_history_(request: web.Request) -> web.StreamResponse:
    store = _engine(request).images
    return web.json_response(image_history(store, store.require(request.match_info["name"])))


async def image_delete(request: web.Request) -> web.StreamResponse:
    engine = _engine(request)
    report = engine.images.remove(
        request.match_info["name"],
        force=_flag(request, "force"),
        users=engine.containers.users(engine.clock()),
    )
    return web.json_response(report)


async def image_tag(request: web.Request) -> web.StreamResponse:
    repository = request.query.get("repo", "")
    _engine(request).images.tag(
        request.match_info["name"], repository, request.query.get("tag", "")
    )
    return web.Response(status=201)


async def image_push(request: web.Request) -> web.StreamResponse:
    engine = _engine(request)
    if "X-Registry-Auth" not in request.headers:
        try:
            json.loads(await request.text())
        except ValueError as exc:
            raise EngineError(400, "Bad parameters and missing X-Registry-Auth: EOF") from exc
    name = request.match_info["name"]
    return await _json_stream(
        request, engine.registries.push(engine.images, name, request.query.get("tag", ""))
    )


# ------------------------------------------------------------------- containers


async def containers_list(request: web.Request) -> web.StreamResponse:
    engine = _engine(request)
    now = engine.clock()
    rows = [
        container_summary(c, now)
        for c in engine.containers.all()
        if _flag(request, "all") or c.running(now)
    ]
    limit = int(request.query.get("limit") or -1)
    return web.json_response(rows[:limit] if limit > 0 else rows)


async def container_inspect_(request: web.Request) -> web.StreamResponse:
    engine = _engine(request)
    container = engine.containers.require(request.match_info["id"])
    return web.json_response(container_inspect(container, engine.clock()))


async def container_action(request: web.Request) -> web.StreamResponse:
    engine = _engine(request)
    container = engine.containers.require(request.match_info["id"])
    action, now = request.match_info["action"], engine.clock()
    if action == "restart":
        container.stop(now)
        changed = container.start(now)
    else:
        changed = container.start(now) if action == "start" else container.stop(now)
    return web.Response(status=204 if changed else 304)


async def container_logs(request: web.Request) -> web.StreamResponse:
    engine = _engine(request)
    container = engine.containers.require(request.match_info["id"])
    streams = {s for s in ("stdout", "stderr") if _flag(request, s)}
    if not streams:
        raise EngineError(400, "Bad parameters: you must choose at least one stream")
    tail = request.query.get("tail", "all")
    since = float(request.query.get("since") or 0)
    until = float(request.query.get("until") or 0)
    stamps = _flag(request, "timestamps")
    now = engine.clock()
    lines = [
        line
        for line in container.lines(now, after=since - 1e-6 if since else 0.0)
        if line[1] in streams and (not until or line[0] <= until)
    ]
    if tail.isdigit():
        lines = lines[len(lines) - int(tail) :] if int(tail) else []
    response = web.StreamResponse(
        headers={"Content-Type": "application/vnd.docker.multiplexed-stream"}
    )
    await response.prepare(request)

    async def send(batch: list[tuple[float, str, str]]) -> None:
        for at, stream, text in batch:
            payload = ((rfc3339(at) + " ") if stamps else "") + text + "\n"
            data = payload.encode()
            await response.write(_FRAME.pack(1 if stream == "stdout" else 2, len(data)) + data)

    try:
        await send(lines)
        last = now
        while _flag(request, "follow") and not until and container.running(last):
            await asyncio.sleep(_FOLLOW_POLL)
            current = engine.clock()
            await send(
                [line for line in container.lines(current, after=last) if line[1] in streams]
            )
            last = current
    except ConnectionResetError:
        return response
    await response.write_eof()
    return response


async def container_stats(request: web.Request) -> web.StreamResponse:
    engine = _engine(request)
    container = engine.containers.require(request.match_info["id"])
    now = engine.clock()
    if not _flag(request, "stream", default=True):
        previous = None if _flag(request, "one-shot") else now - 1.0
        return web.json_response(container.stats(now, previous))

    async def samples() -> Any:
        previous = None
        while True:
            current = engine.clock()
            yield container.stats(current, previous)
            previous = current
            await asyncio.sleep(1.0)

    return await _json_stream(request, samples())


# ------------------------------------------------------------------------ build


async def build(request: web.Request) -> web.StreamResponse:
    engine = _engine(request)
    tags = tuple(request.query.getall("t", []))
    for tag in tags:
        problem = reference_problem(tag)
        if problem:
            raise EngineError(400, f'invalid tag "{tag}": {problem}')
    try:
        build_args = json.loads(request.query.get("buildargs") or "{}")
        files = await asyncio.to_thread(read_context, await request.read())
    except (ValueError, tarfile.TarError, EOFError) as exc:
        raise EngineError(400, f"Error processing tar file: {exc}") from exc
    build_request = BuildRequest(
        files=files,
        dockerfile=request.query.get("dockerfile") or "Dockerfile",
        tags=tags,
        build_args={k: str(v) for k, v in build_args.items() if v is not None},
        target=request.query.get("target", ""),
        no_cache=_flag(request, "nocache"),
    )
    return await _json_stream(request, engine.builder.run(build_request))


ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/_ping", ping),
    ("HEAD", "/_ping", ping),
    ("GET", "/version", version),
    ("GET", "/info", info),
    ("GET", "/images/json", images_list),
    ("POST", "/build", build),
    ("GET", "/images/{name:.+}/json", image_inspect_),
    ("GET", "/images/{name:.+}/history", image_history_),
    ("POST", "/images/{name:.+}/tag", image_tag),
    ("POST", "/images/{name:.+}/push", image_push),
    ("DELETE", "/images/{name:.+}", image_delete),
    ("GET", "/containers/json", containers_list),
    ("GET", "/containers/{id}/json", container_inspect_),
    ("GET", "/containers/{id}/logs", container_logs),
    ("GET", "/containers/{id}/stats", container_stats),
    ("POST", "/containers/{id}/{action:start|stop|restart}", container_action),
)


def make_app(world: WorldLike, *, pace: float = 1.0) -> web.Application:
    """The Docker face over ``world``: its images are those the world's workloads
    run. ``pace`` scales simulated build and push durations (1.0: realistic)."""
    app = web.Application(middlewares=[_errors], client_max_size=1024**3)
    app[ENGINE] = DockerEngine(world, pace=pace)
    app.on_response_prepare.append(_headers)
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
        app.router.add_route(method, "/v{api_version:[0-9.]+}" + path, handler)
    return app
