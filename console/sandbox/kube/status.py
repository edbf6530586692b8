"""Errors as the API server reports them: ``metav1.Status`` JSON bodies.

Handlers raise ``ApiError``; the face's middleware turns it into a response whose
body is a Status with ``status: Failure``, the HTTP ``code``, a ``reason``
(NotFound, AlreadyExists, Conflict, Invalid, BadRequest, Expired, ...) and, where
the real server gives them, ``details`` naming the object and the failing fields.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from console.sandbox.kube.resources import Resource
from console.sandbox.store import StoreError

_CODES = {
    "BadRequest": 400,
    "Unauthorized": 401,
    "Forbidden": 403,
    "NotFound": 404,
    "MethodNotAllowed": 405,
    "NotAcceptable": 406,
    "AlreadyExists": 409,
    "Conflict": 409,
    "Expired": 410,
    "UnsupportedMediaType": 415,
    "Invalid": 422,
    "InternalError": 500,
}


class ApiError(Exception):
    """A request the sandbox API server refuses; rendered as a Status body."""

    def __init__(self, reason: str, message: str, *, details: dict[str, Any] | None = None,
                 code: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.details = details
        self.code = code if code is not None else _CODES[reason]

    def status(self) -> dict[str, Any]:
        """The metav1.Status document for this error."""
        return failure_status(self.code, self.reason, self.message, self.details)

    def response(self) -> web.Response:
        """An HTTP response carrying this error's Status."""
        return json_response(self.status(), status=self.code)


def failure_status(code: int, reason: str, message: str,
                   details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ``status: Failure`` Status document (also used inside watch ERROR events)."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


def json_response(body: Any, *, status: int = 200) -> web.Response:
    """``body`` serialised compactly as ``application/json``."""
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


def object_details(res: Resource, name: str) -> dict[str, Any]:
    """The ``details`` block naming one object of ``res``."""
    details: dict[str, Any] = {"name": name, "kind": res.plural}
    if res.group:
        details["group"] = res.group
    return details


def not_found(res: Resource, name: str) -> ApiError:
    """``404 NotFound``: ``deployments.apps "x" not found``."""
    return ApiError("NotFound", f'{res.qualified} "{name}" not found',
                    details=object_details(res, name))


def already_exists(res: Resource, name: str) -> ApiError:
    """``409 AlreadyExists``: ``pods "x" already exists``."""
    return ApiError("AlreadyExists", f'{res.qualified} "{name}" already exists',
                    details=object_details(res, name))


def conflict(res: Resource, name: str) -> ApiError:
    """``409 Conflict`` for a stale resourceVersion, worded as the real server does."""
    return ApiError(
        "Conflict",
        f'Operation cannot be fulfilled on {res.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        details=object_details(res, name),
    )


def from_store_error(res: Resource, name: str, err: StoreError) -> ApiError:
    """Translate the object store's refusal into the face's wording for ``res``."""
    if err.reason == "NotFound":
        return not_found(res, name)
    if err.reason == "AlreadyExists":
        return already_exists(res, name)
    if err.reason == "Conflict":
        return conflict(res, name)
    return ApiError(err.reason, err.message, code=err.code, details=object_details(res, name))


def invalid(res: Resource, name: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """``422 Invalid`` listing ``(reason, field, message)`` causes, worded like
    ``Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be ...``."""
    parts = [f"{field}: {message}" for _, field, message in causes]
    summary = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    details = object_details(res, name)
    details["kind"] = res.kind
    details["causes"] = [
        {"reason": reason, "message": message, "field": field}
        for reason, field, message in causes
    ]
    return ApiError("Invalid", f'{res.qualified_kind} "{name}" is invalid: {summary}',
                    details=details)


def bad_request(message: str) -> ApiError:
    """``400 BadRequest`` with ``message``."""
    return ApiError("BadRequest", message)
