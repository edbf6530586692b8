"""Image references (``[registry/]path[:tag]``), checked as Docker checks them.

The grammar is the one of the Docker distribution library (``reference``
package): lowercase path components separated by ``/``, an optional registry
host (with a dot or a port, or ``localhost``) first, and a tag of up to 128
word characters, dots and dashes. The sandbox's Docker face and the adapter
share it, so both refuse the same references with the same words.
"""

from __future__ import annotations

import re

from adapters.base import InvalidRequest

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]+)?")
_PATH = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)

#: The registry an image without a registry host belongs to.
DEFAULT_REGISTRY = "docker.io"


def partition_reference(reference: str) -> tuple[str, str | None]:
    """``(repository, tag)`` of ``reference`` without checking it; the tag is None
    when absent (a colon before the last ``/`` belongs to a registry port)."""
    slash, colon = reference.rfind("/"), reference.rfind(":")
    if colon > slash:
        return reference[:colon], reference[colon + 1 :]
    return reference, None


def reference_problem(reference: str) -> str | None:
    """What is wrong with ``reference``, in the daemon's words ("invalid reference
    format", "invalid reference format: repository name must be lowercase"), or
    None when it is a valid ``repository[:tag]``."""
    repository, tag = partition_reference(reference)
    if tag is not None and not _TAG.fullmatch(tag):
        return "invalid reference format"
    if _valid_repository(repository):
        return None
    if _valid_repository(_lower_path(repository)):
        return "invalid reference format: repository name must be lowercase"
    return "invalid reference format"


def split_reference(reference: str) -> tuple[str, str | None]:
    """``(repository, tag)`` of a valid ``reference``; the tag is None when absent.

    Raises ``InvalidRequest`` naming the reference and the problem (spaces, empty
    strings, uppercase paths, digests, bad tags)."""
    problem = reference_problem(reference)
    if problem:
        raise InvalidRequest(f"{reference!r}: {problem}", title="Invalid image reference")
    return partition_reference(reference)


def registry_of(repository: str) -> str:
    """The registry host a repository is pushed to: its first component when that
    looks like a host (has a dot or a port, or is ``localhost``), else Docker Hub."""
    first, sep, _ = repository.partition("/")
    return first if sep and _looks_like_host(first) else DEFAULT_REGISTRY


def _looks_like_host(component: str) -> bool:
    return "." in component or ":" in component or component == "localhost"


def _valid_repository(repository: str) -> bool:
    host, sep, path = repository.partition("/")
    if sep and _looks_like_host(host):
        return bool(_HOST.fullmatch(host) and _PATH.fullmatch(path))
    return bool(_PATH.fullmatch(repository))


def _lower_path(repository: str) -> str:
    host, sep, path = repository.partition("/")
    if sep and _looks_like_host(host):
        return f"{host}/{path.lower()}"
    return repository.lower()
