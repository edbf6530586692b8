"""The sandbox's Prometheus face: Prometheus's HTTP API (``/api/v1/...``) over the
sandbox's series and rules, and ``/metrics`` exposing the same series so that a
real Prometheus can scrape them.

Responses use Prometheus's envelope (``status``, ``data``, ``warnings``) and its
errors (``errorType`` ``bad_data`` with 400, ``execution`` with 422, ``timeout``
with 503), with Prometheus's own wording for parameter errors.
"""

from __future__ import annotations

import math
import re
import weakref
from datetime import datetime
from typing import Any

from aiohttp import web

from console.sandbox.exposition import CONTENT_TYPE, render
from console.sandbox.metrics import MetricsEngine, WorldLike
from console.sandbox.promql import (
    BadData,
    Engine,
    Matrix,
    PromQLError,
    Sample,
    Scalar,
    String,
    Value,
    format_value,
)
from console.sandbox.promql.syntax import Selector, parse
from console.sandbox.rules import RuleEvaluator

#: Longest a query may run before it answers ``timeout`` (Prometheus's default is 2 m).
QUERY_TIMEOUT = 30.0
VERSION = "2.54.1"
_DURATION = re.compile(r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?"
                       r"(?:(\d+)ms)?")
_UNITS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)

_faces: weakref.WeakKeyDictionary[Any, tuple[MetricsEngine, Engine, RuleEvaluator]] = (
    weakref.WeakKeyDictionary()
)


def make_app(world: WorldLike) -> web.Application:
    """The face's aiohttp application for ``world`` (one metrics engine per world,
    however many times the face is served)."""
    if world not in _faces:
        metrics = MetricsEngine.attach(world)
        engine = Engine(metrics, timeout=QUERY_TIMEOUT)
        _faces[world] = (metrics, engine, RuleEvaluator(engine, world.now))
    face = _Face(world, *_faces[world])
    app = web.Application()
    for path, handler in (
        ("/api/v1/query", face.query),
        ("/api/v1/query_range", face.query_range),
        ("/api/v1/labels", face.labels),
        ("/api/v1/series", face.series),
    ):
        app.router.add_route("GET", path, handler)
        app.router.add_route("POST", path, handler)
    app.router.add_get("/api/v1/label/{name}/values", face.label_values)
    app.router.add_get("/api/v1/alerts", face.alerts)
    app.router.add_get("/api/v1/rules", face.rules)
    app.router.add_get("/api/v1/status/buildinfo", face.buildinfo)
    app.router.add_get("/metrics", face.metrics)
    app.router.add_get("/-/healthy", face.healthy)
    app.router.add_get("/-/ready", face.healthy)
    return app


def success(data: Any, warnings: list[str] | None = None) -> web.Response:
    """Prometheus's success envelope (``warnings`` only when there are some)."""
    body: dict[str, Any] = {"status": "success", "data": data}
    if warnings:
        body["warnings"] = warnings
    return web.json_response(body)


def failure(error: PromQLError) -> web.Response:
    """Prometheus's error envelope with the status its ``errorType`` maps to."""
    body = {"status": "error", "errorType": error.error_type, "error": str(error)}
    return web.json_response(body, status=error.status)


async def _params(request: web.Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for k, v in request.query.items():
        params.setdefault(k, []).append(v)
    if request.method == "POST":
        for k, field in (await request.post()).items():
            params.setdefault(k, []).append(str(field))
    return params


def parse_time(name: str, text: str) -> float:
    """A timestamp parameter (unix seconds or RFC 3339). Raises ``BadData``."""
    try:
        return round(float(text), 3)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise BadData(f'invalid parameter "{name}": cannot parse "{text}" to a valid '
                      "timestamp") from None


def parse_duration(name: str, text: str) -> float:
    """A duration parameter (seconds, or ``1h30m``). Raises ``BadData``."""
    try:
        value = float(text)
        if math.isfinite(value):
            return value
    except ValueError:
        match = _DURATION.fullmatch(text)
        if match and text:
            return sum(int(g) * u for g, u in zip(match.groups(), _UNITS, strict=True) if g)
    raise BadData(f'invalid parameter "{name}": cannot parse "{text}" to a valid duration')


def _result(value: Value, at: float) -> dict[str, Any]:
    """The ``data`` of an instant query evaluated at ``at``."""
    if isinstance(value, Scalar):
        return {"resultType": "scalar", "result": [at, format_value(value.value)]}
    if isinstance(value, String):
        return {"resultType": "string", "result": [at, value.value]}
    if value and not isinstance(value[0], Sample):
        return {"resultType": "matrix", "result": _matrix(value)}
    return {"resultType": "vector", "result": [
        {"metric": dict(s.labels), "value": [at, format_value(s.value)]}
        for s in value if isinstance(s, Sample)
    ]}


def _matrix(matrix: Matrix) -> list[dict[str, Any]]:
    return [{"metric": dict(s.labels),
             "values": [[t, format_value(v)] for t, v in s.points]} for s in matrix]


class _Face:
    """The request handlers, sharing one world's engines."""

    def __init__(self, world: WorldLike, metrics: MetricsEngine, engine: Engine,
                 rules: RuleEvaluator) -> None:
        self.world = world
        self.series_source = metrics
        self.engine = engine
        self.evaluator = rules

    async def query(self, request: web.Request) -> web.Response:
        try:
            params = await _params(request)
            query = _required(params, "query")
            at = parse_time("time", params["time"][0]) if "time" in params else self._now()
            warnings: list[str] = []
            data = _result(self.engine.instant(query, at, warnings), at)
        except PromQLError as exc:
            return failure(exc)
        return success(data, warnings)

    async def query_range(self, request: web.Request) -> web.Response:
        try:
            params = await _params(request)
            query = _required(params, "query")
            start = parse_time("start", _required(params, "start"))
            end = parse_time("end", _required(params, "end"))
            step = parse_duration("step", _required(params, "step"))
            warnings: list[str] = []
            matrix = self.engine.range(query, start, end, step, warnings)
        except PromQLError as exc:
            return failure(exc)
        return success({"resultType": "matrix", "result": _matrix(matrix)}, warnings)

    async def labels(self, request: web.Request) -> web.Response:
        try:
            sets = await self._matching(request, required=False)
        except PromQLError as exc:
            return failure(exc)
        return success(sorted({k for labels in sets for k, _ in labels}))

    async def label_values(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        try:
            sets = await self._matching(request, required=False)
        except PromQLError as exc:
            return failure(exc)
        return success(sorted({v for labels in sets for k, v in labels if k == name}))

    async def series(self, request: web.Request) -> web.Response:
        try:
            sets = await self._matching(request, required=True)
        except PromQLError as exc:
            return failure(exc)
        return success([dict(labels) for labels in sorted(sets)])

    async def alerts(self, request: web.Request) -> web.Response:
        return success({"alerts": self.evaluator.alerts()})

    async def rules(self, request: web.Request) -> web.Response:
        groups = self.evaluator.groups()
        if request.query.get("type") == "record":
            groups = [{**g, "rules": []} for g in groups]
        return success({"groups": groups})

    async def buildinfo(self, request: web.Request) -> web.Response:
        return success({"version": VERSION, "revision": "sandbox", "branch": "sandbox",
                        "buildUser": "opsconsole", "buildDate": "", "goVersion": ""})

    async def metrics(self, request: web.Request) -> web.Response:
        text = render(self.series_source.current())
        return web.Response(text=text, headers={"Content-Type": CONTENT_TYPE})

    async def healthy(self, request: web.Request) -> web.Response:
        return web.Response(text="Prometheus Server is Healthy.\n")

    def _now(self) -> float:
        return round(self.world.now(), 3)

    async def _matching(self, request: web.Request, *, required: bool) -> set[Any]:
        params = await _params(request)
        selectors = params.get("match[]", [])
        if required and not selectors:
            raise BadData("no match[] parameter provided")
        now = self._now()
        start = parse_time("start", params["start"][0]) if "start" in params else now - 3600
        end = parse_time("end", params["end"][0]) if "end" in params else now
        out: set[Any] = set()
        for text in selectors or ['{__name__=~".+"}']:
            node = parse(text)
            if not isinstance(node, Selector):
                raise BadData(f'invalid parameter "match[]": {text!r} is not a series selector')
            out |= self.series_source.label_sets(node.matchers, start, end)
        return out


def _required(params: dict[str, list[str]], name: str) -> str:
    if name not in params or not params[name][0]:
        raise BadData(f'invalid parameter "{name}": missing')
    return params[name][0]
