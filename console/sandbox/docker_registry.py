"""Registries as the sandbox's Docker engine sees them: push and pull progress.

The sandbox has its own registries (``registry.sandbox.local`` and the platform's
``registry.acme.ai``), which accept pushes and remember the layers they hold, so
a second push finds them ("Layer already exists"). Any other registry fails the
way it would from a host without credentials or network: Docker Hub and the big
public registries refuse ("denied", "unauthorized"), unknown hosts do not resolve,
and loopback addresses refuse the connection. Messages are the daemon's.

Both operations are async generators of the JSON messages the Engine API streams;
``pace`` scales the simulated transfer time.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from typing import Any

from adapters.docker_reference import registry_of
from console.sandbox.catalog import IMAGES
from console.sandbox.docker_format import digest, progress_bar, short
from console.sandbox.docker_images import ImageStore, SimImage, familiar

SANDBOX_REGISTRIES = frozenset({"registry.sandbox.local", "registry.acme.ai"})
_REFUSING = {
    "docker.io": "denied: requested access to the resource is denied",
    "ghcr.io": "unauthorized: authentication required",
    "nvcr.io": "unauthorized: authentication required",
    "quay.io": "unauthorized: access to the requested resource is not authorized",
    "gcr.io": "unauthorized: You don't have the needed permissions to perform this operation",
    "registry.k8s.io": "denied: requested access to the resource is denied",
}
#: Base images anyone can pull from a public registry (besides the catalog's).
PUBLIC_BASES = ("python", "ubuntu", "debian", "alpine", "busybox", "nvidia/cuda", "pytorch/pytorch")
_MESSAGES_PER_LAYER = 4


def _unreachable(registry: str) -> str:
    """The daemon's error for a registry that cannot be reached."""
    host, _, port = registry.partition(":")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        return (
            f'Get "http://{registry}/v2/": dial tcp {host}:{port or 80}: '
            "connect: connection refused"
        )
    return f'Get "https://{registry}/v2/": dial tcp: lookup {host} on 127.0.0.53:53: no such host'


def _error(message: str) -> dict[str, Any]:
    return {"errorDetail": {"message": message}, "error": message}


class Registries:
    """The layers and tags each sandbox registry holds."""

    def __init__(self, *, pace: float = 1.0) -> None:
        self.pace = pace
        self._layers: dict[str, set[str]] = {r: set() for r in SANDBOX_REGISTRIES}

    async def push(
        self, images: ImageStore, repository: str, tag: str
    ) -> AsyncIterator[dict[str, Any]]:
        """The messages of ``docker push repository[:tag]`` (every tag of the
        repository when ``tag`` is empty)."""
        name = familiar(repository).rpartition(":")[0]
        wanted = [t for t in self._tags_of(images, name) if not tag or t == f"{name}:{tag}"]
        if not wanted:
            yield _error(f"An image does not exist locally with the tag: {name}")
            return
        registry = registry_of(name)
        if registry == "docker.io":  # the daemon names Docker Hub repositories in full
            shown = f"docker.io/{name if '/' in name else 'library/' + name}"
        else:
            shown = name
        yield {"status": f"The push refers to repository [{shown}]"}
        for reference in wanted:
            image = images.require(reference)
            async for message in self._push_one(registry, image, reference.rpartition(":")[2]):
                yield message
                if "error" in message:
                    return

    async def pull(self, images: ImageStore, reference: str) -> AsyncIterator[dict[str, Any]]:
        """The messages of pulling ``reference`` (as a build's ``FROM`` does); on
        success the image is in ``images`` afterwards."""
        name = familiar(reference)
        repository, _, tag = name.rpartition(":")
        registry = registry_of(repository)
        if registry not in SANDBOX_REGISTRIES and registry not in _REFUSING:
            yield _error(_unreachable(registry))
            return
        if not self._pullable(name):
            yield _error(
                f"pull access denied for {repository}, repository does not exist or "
                "may require 'docker login': denied: requested access to the resource "
                "is denied"
            )
            return
        path = repository if "/" in repository else f"library/{repository}"
        yield {"status": f"Pulling from {path}", "id": tag}
        image = images.add_pulled(name)
        layers = image.layer_digests()
        for layer, _ in layers:
            yield {"status": "Pulling fs layer", "progressDetail": {}, "id": short(layer)}
        for layer, size in layers:
            async for message in self._transfer("Downloading", layer, size):
                yield message
            for status in ("Verifying Checksum", "Download complete", "Pull complete"):
                yield {"status": status, "progressDetail": {}, "id": short(layer)}
        yield {"status": f"Digest: {image.repo_digests[0].partition('@')[2]}"}
        yield {"status": f"Status: Downloaded newer image for {name}"}

    # ---------------------------------------------------------------- internal

    async def _push_one(
        self, registry: str, image: SimImage, tag: str
    ) -> AsyncIterator[dict[str, Any]]:
        layers = list(reversed(image.layer_digests()))
        if registry not in SANDBOX_REGISTRIES and registry not in _REFUSING:
            yield _error(_unreachable(registry))
            return
        for layer, _ in layers:
            yield {"status": "Preparing", "progressDetail": {}, "id": short(layer)}
        if registry in _REFUSING:
            await asyncio.sleep(0.05 * self.pace)
            yield _error(_REFUSING[registry])
            return
        held = self._layers[registry]
        for layer, size in layers:
            if layer in held:
                yield {"status": "Layer already exists", "progressDetail": {}, "id": short(layer)}
                continue
            async for message in self._transfer("Pushing", layer, size):
                yield message
            held.add(layer)
            yield {"status": "Pushed", "progressDetail": {}, "id": short(layer)}
        manifest = "sha256:" + digest("manifest", image.id)
        size = 428 + 212 * len(layers)
        yield {"status": f"{tag}: digest: {manifest} size: {size}"}
        yield {"progressDetail": {}, "aux": {"Tag": tag, "Digest": manifest, "Size": size}}

    async def _transfer(self, status: str, layer: str, size: int) -> AsyncIterator[dict[str, Any]]:
        for step in range(1, _MESSAGES_PER_LAYER + 1):
            await asyncio.sleep(0.02 * self.pace)
            current = size * step // _MESSAGES_PER_LAYER
            yield {
                "status": status,
                "progressDetail": {"current": current, "total": size},
                "progress": progress_bar(current, size),
                "id": short(layer),
            }

    @staticmethod
    def _tags_of(images: ImageStore, repository: str) -> list[str]:
        return sorted(
            t for image in images.all() for t in image.tags if t.rpartition(":")[0] == repository
        )

    @staticmethod
    def _pullable(name: str) -> bool:
        repository = name.rpartition(":")[0]
        return (
            name in IMAGES
            or repository in PUBLIC_BASES
            or registry_of(repository) in SANDBOX_REGISTRIES
        )
