""" "Where does this run?": the Deployments whose pod templates use a local image.

References are compared the way the registry resolves them, not as strings:
``python:3.11`` is ``docker.io/library/python:3.11``, an untagged name means
``:latest``, and a ``repo@sha256:…`` reference matches an image carrying that
repository digest. A reference with both a tag and a digest runs the digest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from console.models import Deployment, Image
from console.validation import ValidationError, parse_image_reference

__all__ = ["ImageUse", "deployments_using", "normalize_reference"]

_DOCKER_HUB = "docker.io"
_HUB_ALIASES = frozenset({"", "docker.io", "index.docker.io", "registry-1.docker.io"})


@dataclass(frozen=True, slots=True)
class ImageUse:
    """One Deployment running the image, and the reference its template names."""

    deployment: Deployment
    reference: str


def normalize_reference(text: str) -> tuple[str, str | None, str | None] | None:
    """``(registry/repository, tag, digest)`` of ``text`` in canonical form: Docker
    Hub spelled ``docker.io``, its official images under ``library/``, ``latest``
    when neither tag nor digest is given. None for text that is not a reference."""
    try:
        ref = parse_image_reference(text)
    except ValidationError:
        return None
    registry = _DOCKER_HUB if ref.registry in _HUB_ALIASES else ref.registry
    repository = ref.repository
    if registry == _DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    tag = ref.tag if ref.tag or ref.digest else "latest"
    return f"{registry}/{repository}", tag, ref.digest


def _identities(image: Image) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The image's (name, tag) pairs and (name, digest) pairs, normalized."""
    tags: set[tuple[str, str]] = set()
    digests: set[tuple[str, str]] = set()
    for text in image.tags:
        normal = normalize_reference(text)
        if normal is not None and normal[1] is not None:
            tags.add((normal[0], normal[1]))
    for text in image.digests:
        normal = normalize_reference(text)
        if normal is not None and normal[2] is not None:
            digests.add((normal[0], normal[2].lower()))
    return tags, digests


def runs_image(reference: str, image: Image) -> bool:
    """Whether a pod template naming ``reference`` runs ``image``."""
    normal = normalize_reference(reference)
    if normal is None:
        return False
    name, tag, digest = normal
    tags, digests = _identities(image)
    if digest is not None:
        return (name, digest.lower()) in digests
    return tag is not None and (name, tag) in tags


def deployments_using(image: Image, deployments: Iterable[Deployment]) -> list[ImageUse]:
    """Every Deployment with a container whose image reference resolves to
    ``image``, ordered by namespace and name (one entry per matching container)."""
    uses = [
        ImageUse(deployment, reference)
        for deployment in deployments
        for reference in deployment.images
        if runs_image(reference, image)
    ]
    return sorted(uses, key=lambda use: (use.deployment.key, use.reference))
