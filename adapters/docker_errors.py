"""Translating the docker SDK's errors into the adapter error hierarchy.

Called once, at the adapter's edge, with whatever the SDK (or the ``requests``
transport under it) raised. Messages name the endpoint without credentials.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from adapters.base import (
    AdapterError,
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    Timeout,
    Unavailable,
)


def safe_endpoint(endpoint: str) -> str:
    """``endpoint`` without a password (``tcp://user:secret@host`` -> ``tcp://user@host``)."""
    parts = urlsplit(endpoint)
    if not parts.password:
        return endpoint
    netloc = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=user + netloc))


def translate(exc: BaseException, endpoint: str) -> AdapterError | None:
    """The adapter error for an SDK or transport error, or None for anything else
    (a programming error, which the caller re-raises unchanged).

    ``NotFound`` for 404, ``Conflict`` for 409, ``Forbidden`` for 401/403 and
    registry "denied"/"unauthorized" answers, ``InvalidRequest`` for 400 and the
    SDK's argument checks, ``Unavailable`` for connection failures and 5xx,
    ``Timeout`` when the daemon is too slow.
    """
    if isinstance(exc, AdapterError):
        return exc
    import docker.errors
    import requests.exceptions

    where = safe_endpoint(endpoint)
    if isinstance(exc, requests.exceptions.Timeout):
        return Timeout(f"Docker at {where} did not answer in time", title="Docker timed out")
    if isinstance(exc, docker.errors.APIError):
        return _from_api_error(exc)
    if isinstance(exc, (docker.errors.InvalidArgument, docker.errors.InvalidRepository)):
        return InvalidRequest(str(exc))
    if isinstance(
        exc, (requests.exceptions.ConnectionError, docker.errors.DockerException, OSError)
    ):
        return Unavailable(
            f"cannot reach Docker at {where}: {root_reason(exc)}", title="Docker unreachable"
        )
    return None


def _from_api_error(exc: object) -> AdapterError:
    import docker.errors

    assert isinstance(exc, docker.errors.APIError)
    status = exc.status_code
    detail = str(exc.explanation or exc).strip()
    lowered = detail.lower()
    if status == 404:
        return NotFound(detail, status=status)
    if status == 409:
        return Conflict(detail, status=status)
    if status in (401, 403) or "denied" in lowered or "unauthorized" in lowered:
        return Forbidden(detail, status=status)
    if status is not None and status >= 500:
        return Unavailable(detail, title="Docker daemon error", status=status)
    return InvalidRequest(detail, status=status)


def root_reason(exc: BaseException) -> str:
    """The innermost operating-system reason behind a transport error
    ("Connection refused", "No such file or directory", "Name or service not
    known"), else the error's own text."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        current = pending.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        pending += [
            *current.args,
            getattr(current, "reason", None),
            current.__cause__,
            current.__context__,
        ]
    return str(exc)[:300]
