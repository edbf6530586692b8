"""The sandbox's Kubernetes API face: an aiohttp app serving core/v1, apps/v1 and
autoscaling/v2 over the world's object store, wire-compatible with kubectl and the official
``kubernetes`` client.

``make_app(world)`` returns the application; ``SandboxServer`` serves it on
loopback. Discovery is answered here, requests for resources are parsed into a
``Target`` and dispatched by method to the handlers in ``console.sandbox.kube``;
any ``ApiError`` they raise becomes a ``metav1.Status`` response.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from console.sandbox.kube import logs, reads, scale, watch, writes
from console.sandbox.kube.context import PATH_NOT_FOUND, Face, Target, parse_target
from console.sandbox.kube.resources import (
    GROUPS,
    SCALABLE,
    SERVER_VERSION,
    api_group_list,
    api_versions,
    resource_list,
)
from console.sandbox.kube.status import ApiError, json_response

if TYPE_CHECKING:
    from console.sandbox.world import World

log = logging.getLogger(__name__)

FACE_KEY = web.AppKey("face", Face)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_NOT_ALLOWED = "the server does not allow this method on the requested resource"


@web.middleware
async def _status_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render ``ApiError`` (and unexpected failures) as Status responses."""
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.response()
    except web.HTTPNotFound:
        return ApiError("NotFound", PATH_NOT_FOUND, details={}).response()
    except web.HTTPMethodNotAllowed:
        return ApiError("MethodNotAllowed", _NOT_ALLOWED, details={}).response()
    except Exception as exc:  # the real server answers 500 with a Status, too
        log.exception("kube face: %s %s failed", request.method, request.path)
        return ApiError("InternalError", f"Internal error occurred: {exc}").response()


def _not_allowed() -> ApiError:
    return ApiError("MethodNotAllowed", _NOT_ALLOWED, details={})


async def _get(face: Face, request: web.Request, target: Target) -> web.StreamResponse:
    if target.name is None:
        if request.query.get("watch", "").lower() in ("1", "true"):
            return await watch.watch(face, request, target)
        return reads.list_objects(face, request, target)
    if target.sub == "log":
        return await logs.pod_logs(face, request, target)
    if target.sub == "scale":
        return scale.get_scale(face, target)
    return reads.get_object(face, request, target)


async def _write(face: Face, request: web.Request, target: Target) -> web.StreamResponse:
    method, sub = request.method, target.sub
    if target.name is None:
        if method == "POST":
            return await writes.create(face, request, target)
        raise _not_allowed()
    if method == "DELETE" and sub is None:
        return await writes.delete(face, request, target)
    if sub == "scale" and target.res.plural in SCALABLE:
        if method == "PUT":
            return await scale.replace_scale(face, request, target)
        if method == "PATCH":
            return await scale.patch_scale(face, request, target)
    elif sub in (None, "status"):
        if method == "PUT":
            return await writes.replace(face, request, target)
        if method == "PATCH":
            return await writes.patch(face, request, target)
    raise _not_allowed()


def _resource_handler(group: str, version: str = "v1") -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        face = request.app[FACE_KEY]
        target = parse_target(group, request.match_info["tail"], version)
        if request.method == "GET":
            return await _get(face, request, target)
        return await _write(face, request, target)

    return handle


def _static(body: object) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        return json_response(body)

    return handle


async def _api(request: web.Request) -> web.StreamResponse:
    return json_response(api_versions(request.host))


async def _healthy(request: web.Request) -> web.StreamResponse:
    return web.Response(text="ok")


async def _missing(request: web.Request) -> web.StreamResponse:
    raise ApiError("NotFound", PATH_NOT_FOUND, details={})


def make_app(world: World, *, bookmark_interval: float = 60.0,
             watch_timeout: float = 1800.0) -> web.Application:
    """The Kubernetes API face over ``world``. Watches with ``allowWatchBookmarks``
    get a BOOKMARK every ``bookmark_interval`` seconds; no watch lasts longer than
    ``watch_timeout`` seconds (clients re-watch, as with a real server)."""
    app = web.Application(middlewares=[_status_errors])
    app[FACE_KEY] = Face(world, bookmark_interval=bookmark_interval, watch_timeout=watch_timeout)
    core = _resource_handler("")
    app.router.add_get("/version", _static(SERVER_VERSION))
    app.router.add_get("/api", _api)
    app.router.add_get("/api/v1", _static(resource_list("")))
    app.router.add_get("/apis", _static(api_group_list()))
    for group, version in GROUPS:
        app.router.add_get(f"/apis/{group}/{version}", _static(resource_list(group, version)))
    for path in ("/healthz", "/readyz", "/livez"):
        app.router.add_get(path, _healthy)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        app.router.add_route(method, "/api/v1/{tail:.+}", core)
        for group, version in GROUPS:
            app.router.add_route(method, f"/apis/{group}/{version}/{{tail:.+}}",
                                 _resource_handler(group, version))
    app.router.add_route("*", "/{tail:.*}", _missing)
    return app
