"""Kubernetes API failures mapped into the adapter errors, with safe messages."""

from __future__ import annotations

import json
import socket

import pytest
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import (
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)

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
from adapters.kube_errors import Operation, error_from_exception, error_from_status, public_url
from adapters.kube_stream import iter_lines

SERVER = "https://admin:s3cret@10.0.0.1:6443/?token=abc"
LIST_PODS = Operation("list", "pods", "ml-serving")


def status(code: int, message: str, reason: str = "") -> bytes:
    return json.dumps(
        {"kind": "Status", "status": "Failure", "code": code, "message": message, "reason": reason}
    ).encode()


def test_the_public_url_drops_credentials_and_query() -> None:
    assert public_url(SERVER) == "https://10.0.0.1:6443/"
    assert public_url("https://[::1]:6443") == "https://[::1]:6443"


def test_forbidden_says_what_was_not_allowed_where_with_the_api_message() -> None:
    message = (
        'pods is forbidden: User "dev" cannot list resource "pods" in the namespace "ml-serving"'
    )
    error = error_from_status(403, status(403, message, "Forbidden"), LIST_PODS, SERVER)
    assert isinstance(error, Forbidden)
    assert error.detail.startswith("you are not allowed to list pods in namespace 'ml-serving'")
    assert message in error.detail
    assert error.status == 403


def test_unauthorized_names_the_server_but_never_its_credentials() -> None:
    error = error_from_status(401, status(401, "Unauthorized"), LIST_PODS, SERVER)
    assert isinstance(error, Forbidden)
    assert error.title == "Not authenticated"
    assert "10.0.0.1:6443" in error.detail
    assert "s3cret" not in str(error) and "abc" not in str(error)


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (404, NotFound),
        (409, Conflict),
        (410, Gone),
        (400, InvalidRequest),
        (422, InvalidRequest),
        (504, Timeout),
        (500, Unavailable),
        (503, Unavailable),
        (429, Unavailable),
    ],
)
def test_each_status_code_maps_to_its_error(code: int, cls: type[AdapterError]) -> None:
    error = error_from_status(code, status(code, "the message"), LIST_PODS, SERVER)
    assert type(error) is cls
    assert "the message" in error.detail
    assert error.status == code


def test_an_invalid_request_carries_the_status_message_as_detail() -> None:
    message = (
        'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: '
        "must be greater than or equal to 0"
    )
    error = error_from_status(422, status(422, message, "Invalid"), LIST_PODS, SERVER)
    assert error.detail == message


def test_a_non_json_error_body_still_gives_a_message() -> None:
    error = error_from_status(502, b"<html>Bad Gateway</html>\n<body/>", LIST_PODS, SERVER)
    assert isinstance(error, Unavailable)
    assert "<html>Bad Gateway</html>" in error.detail


def test_an_api_exception_maps_by_its_status() -> None:
    exc = ApiException(status=404, reason="Not Found")
    exc.body = status(404, 'pods "x" not found').decode()
    error = error_from_exception(exc, LIST_PODS, SERVER)
    assert isinstance(error, NotFound)
    assert error.detail == 'pods "x" not found'


def test_connection_refused_is_unavailable_naming_the_server() -> None:
    message = "Failed to establish a new connection: [Errno 111] Connection refused"
    refused = NewConnectionError(None, message)  # type: ignore[arg-type]
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    retried = MaxRetryError(None, "/api/v1/pods", refused)  # type: ignore[arg-type]
    error = error_from_exception(retried, LIST_PODS, SERVER)
    assert isinstance(error, Unavailable)
    assert error.detail == "cannot connect to https://10.0.0.1:6443/: Connection refused"


def test_an_unresolvable_host_is_unavailable() -> None:
    unknown = socket.gaierror(-2, "Name or service not known")
    failure = NameResolutionError("nowhere.invalid", None, unknown)  # type: ignore[arg-type]
    retried = MaxRetryError(None, "/", failure)  # type: ignore[arg-type]
    error = error_from_exception(retried, LIST_PODS, SERVER)
    assert isinstance(error, Unavailable)
    assert "cannot resolve" in error.detail


def test_a_read_timeout_is_a_timeout() -> None:
    error = error_from_exception(ReadTimeoutError(None, "/", "Read timed out."), LIST_PODS, SERVER)  # type: ignore[arg-type]
    assert isinstance(error, Timeout)


def test_a_tls_failure_wrapped_by_the_client_is_unavailable() -> None:
    exc = ApiException(
        status=0, reason="SSLError\n[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"
    )
    error = error_from_exception(exc, LIST_PODS, SERVER)
    assert isinstance(error, Unavailable)
    assert error.title == "TLS error"
    assert "CERTIFICATE_VERIFY_FAILED" in error.detail


def test_an_adapter_error_passes_through_unchanged() -> None:
    gone = Gone("expired")
    assert error_from_exception(gone, LIST_PODS, SERVER) is gone


def test_a_byte_stream_splits_into_lines_across_chunk_boundaries() -> None:
    chunks = [b'{"a":', b'1}\n{"b"', b":2}\n\n", b"tail"]
    assert list(iter_lines(iter(chunks))) == [b'{"a":1}', b'{"b":2}', b"", b"tail"]
