"""Kubernetes API failures mapped, once, into the adapter error hierarchy.

Two kinds of failure reach the adapter: an HTTP answer with an error status (its
body a ``Status`` object), and a transport failure (refused, DNS, TLS, timeout)
raised by urllib3 underneath the client. ``error_from_status`` and
``error_from_exception`` turn each into an ``adapters.base`` error whose detail is
safe to show: the server URL without credentials and the API's own message,
never a header, token or client key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from adapters.base import (
    AdapterError,
    Conflict,
    Forbidden,
    Gone,
    InvalidRequest,
    NotFound,
    Timeout,
    Unavailable,
)


@dataclass(frozen=True, slots=True)
class Operation:
    """What the adapter was doing, for error messages: ``verb`` as RBAC names it
    (list, watch, get, patch, delete), ``resource`` the plural (``pods``,
    ``deployments/scale``), ``namespace`` None for cluster-wide."""

    verb: str
    resource: str
    namespace: str | None = None
    name: str = ""

    @property
    def scope(self) -> str:
        return f"namespace {self.namespace!r}" if self.namespace else "the whole cluster"

    @property
    def target(self) -> str:
        return f"{self.resource} {self.name!r}" if self.name else self.resource


def public_url(url: str) -> str:
    """``url`` without user info, query or fragment: safe to show and to log."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def status_message(body: bytes | str | None) -> tuple[str, str]:
    """The ``message`` and ``reason`` of a Kubernetes ``Status`` body ("" when the
    body is not one; a non-JSON body's first line becomes the message)."""
    if not body:
        return "", ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        status = json.loads(text)
    except ValueError:
        return text.strip().splitlines()[0][:300] if text.strip() else "", ""
    if not isinstance(status, dict):
        return "", ""
    return str(status.get("message", "")), str(status.get("reason", ""))


def error_from_status(
    code: int, body: bytes | str | None, op: Operation, server: str
) -> AdapterError:
    """The error for an HTTP answer ``code`` (>= 400) with a ``Status`` ``body``."""
    message, reason = status_message(body)
    if code == 401:
        return Forbidden(
            f"the API server at {public_url(server)} did not accept the credentials"
            + (f": {message}" if message else ""),
            title="Not authenticated",
            status=code,
        )
    if code == 403:
        detail = f"you are not allowed to {op.verb} {op.target} in {op.scope}"
        return Forbidden(f"{detail}: {message}" if message else detail, status=code)
    if code == 404:
        return NotFound(message or f"{op.target} not found in {op.scope}", status=code)
    if code == 409:
        return Conflict(message or f"{op.target} was changed by someone else", status=code)
    if code == 410:
        return Gone(message or "the requested resource version has expired", status=code)
    if code in (400, 422):
        return InvalidRequest(
            message or reason or "the API server refused the request", status=code
        )
    if code in (408, 504):
        return Timeout(message or f"{public_url(server)} did not answer in time", status=code)
    if code == 429:
        return Unavailable(
            message or "too many requests", title="API server is throttling", status=code
        )
    return Unavailable(
        f"{public_url(server)} answered {code}" + (f": {message}" if message else ""),
        title="Kubernetes API error" if code < 500 else "Kubernetes API unavailable",
        status=code,
    )


def error_from_exception(exc: BaseException, op: Operation, server: str) -> AdapterError:
    """The error for an exception raised while talking to ``server``: the client's
    ``ApiException`` (by its status), or a urllib3 transport failure.

    An ``AdapterError`` passes through unchanged.
    """
    if isinstance(exc, AdapterError):
        return exc
    from kubernetes.client.exceptions import ApiException
    from urllib3 import exceptions as u3

    url = public_url(server)
    if isinstance(exc, ApiException):
        if exc.status:
            return error_from_status(exc.status, exc.body, op, server)
        # status 0: the client's own wrapping of a TLS failure.
        first_line = str(exc.reason or "").splitlines()[-1:] or [""]
        return Unavailable(f"TLS failure talking to {url}: {first_line[0]}", title="TLS error")
    if isinstance(exc, u3.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    if isinstance(exc, u3.SSLError):
        return Unavailable(f"TLS failure talking to {url}: {_reason(exc)}", title="TLS error")
    if isinstance(exc, u3.NameResolutionError):
        return Unavailable(f"cannot resolve the host of {url}", title="Kubernetes API unreachable")
    # NewConnectionError derives from urllib3's TimeoutError, so it goes first.
    if isinstance(exc, u3.NewConnectionError | ConnectionError | u3.ProtocolError):
        return Unavailable(
            f"cannot connect to {url}: {_reason(exc)}", title="Kubernetes API unreachable"
        )
    if isinstance(exc, u3.TimeoutError | TimeoutError):
        return Timeout(f"{url} did not answer in time ({op.verb} {op.target})")
    if isinstance(exc, u3.HTTPError | OSError):
        return Unavailable(f"{url}: {_reason(exc)}", title="Kubernetes API unreachable")
    return AdapterError(f"{type(exc).__name__}: {exc}", title="Unexpected Kubernetes client error")


def _reason(exc: BaseException) -> str:
    """The innermost OS-level reason ("Connection refused"), else the exception's text."""
    inner: BaseException | None = exc
    while inner is not None:
        if isinstance(inner, OSError) and inner.strerror:
            return inner.strerror
        inner = inner.__cause__ or inner.__context__
    text = str(exc)
    return text.rsplit(": ", 1)[-1] if ": " in text else text
