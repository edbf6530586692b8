"""Image references as Docker checks them, and SDK errors as the adapter reports them."""

from __future__ import annotations

import docker.errors
import pytest
import requests

from adapters.base import Conflict, Forbidden, InvalidRequest, NotFound, Timeout, Unavailable
from adapters.docker_errors import safe_endpoint, translate
from adapters.docker_reference import reference_problem, registry_of, split_reference


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("busybox", ("busybox", None)),
        ("vllm/vllm-openai:v0.6.3", ("vllm/vllm-openai", "v0.6.3")),
        ("127.0.0.1:5000/team/app", ("127.0.0.1:5000/team/app", None)),
        (
            "registry.sandbox.local/models/mistral:0.9.1-rc2",
            ("registry.sandbox.local/models/mistral", "0.9.1-rc2"),
        ),
    ],
)
def test_valid_references_split_into_repository_and_tag(
    reference: str, expected: tuple[str, str | None]
) -> None:
    assert split_reference(reference) == expected


@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ("my image:1", "invalid reference format"),
        ("", "invalid reference format"),
        ("Team/app:1", "invalid reference format: repository name must be lowercase"),
        ("app:v1!", "invalid reference format"),
    ],
)
def test_invalid_references_are_refused_in_docker_s_words(reference: str, problem: str) -> None:
    assert reference_problem(reference) == problem
    with pytest.raises(InvalidRequest, match=problem):
        split_reference(reference)


def test_the_registry_is_the_first_component_only_when_it_looks_like_a_host() -> None:
    assert registry_of("registry.example.com/a/b") == "registry.example.com"
    assert registry_of("localhost/a") == "localhost"
    assert registry_of("library/python") == "docker.io"


def api_error(status: int, explanation: str) -> docker.errors.APIError:
    response = requests.Response()
    response.status_code = status
    cls = docker.errors.NotFound if status == 404 else docker.errors.APIError
    return cls("boom", response=response, explanation=explanation)


@pytest.mark.parametrize(
    ("status", "explanation", "kind"),
    [
        (404, "No such image: nosuch:latest", NotFound),
        (409, "conflict: unable to remove repository reference", Conflict),
        (401, "authentication required", Forbidden),
        (500, "denied: requested access to the resource is denied", Forbidden),
        (400, "invalid reference format", InvalidRequest),
        (500, "driver failed programming external connectivity", Unavailable),
    ],
)
def test_daemon_errors_map_to_the_adapter_hierarchy(
    status: int, explanation: str, kind: type
) -> None:
    error = translate(api_error(status, explanation), "unix:///var/run/docker.sock")
    assert isinstance(error, kind) and error.detail == explanation and error.status == status


def test_a_connection_failure_names_the_endpoint_and_the_os_reason_but_no_password() -> None:
    cause = ConnectionRefusedError(111, "Connection refused")
    failure = requests.exceptions.ConnectionError(cause)
    error = translate(failure, "tcp://ops:s3cret@10.0.0.5:2376")
    assert isinstance(error, Unavailable)
    assert error.detail == "cannot reach Docker at tcp://ops@10.0.0.5:2376: Connection refused"
    assert "s3cret" not in str(error)


def test_a_read_timeout_is_a_timeout_and_a_programming_error_is_not_translated() -> None:
    assert isinstance(translate(requests.exceptions.ReadTimeout(), "unix:///x"), Timeout)
    assert translate(TypeError("bug"), "unix:///x") is None


def test_an_endpoint_without_a_password_is_shown_unchanged() -> None:
    assert safe_endpoint("ssh://deploy@gpu-dev-01") == "ssh://deploy@gpu-dev-01"
