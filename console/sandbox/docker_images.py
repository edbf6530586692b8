"""The sandbox Docker engine's images: the ones the world's workloads run, plus builds.

An image is a chain of history entries (``docker image history``), base first.
Images "pulled" from a registry carry their whole history from the catalog's
``ImageProfile.layers`` (their parents show as ``<missing>``, as on a real host);
images built here have a local parent per step, so history shows those ids.
Layer digests chain over (previous layer, step, size), so images on the same base
share layers — a push then finds them already in the registry.

Names follow Docker's: ``python:3.11`` is ``docker.io/library/python:3.11``, a
reference without a tag means ``:latest``, and an id may be abbreviated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from adapters.docker_reference import partition_reference, reference_problem
from console.sandbox.catalog import profile_for
from console.sandbox.docker_format import EngineError, digest, short, unit_fraction

_DAY = 86_400.0
_MB = 1_000_000


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One step of an image's history. ``size`` is 0 for metadata-only steps."""

    created: float
    created_by: str
    size: int
    comment: str = ""


@dataclass(slots=True)
class SimImage:
    """An image: its id, parent (for built images), history and tags."""

    id: str
    parent: str
    created: float
    history: tuple[HistoryEntry, ...]
    #: The local image id for each history entry, or "<missing>".
    history_ids: tuple[str, ...]
    config: dict[str, Any]
    tags: list[str] = field(default_factory=list)
    repo_digests: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(entry.size for entry in self.history)

    def layer_digests(self) -> list[tuple[str, int]]:
        """``(sha256 digest, size)`` of each non-empty layer, base first."""
        layers: list[tuple[str, int]] = []
        previous = ""
        for entry in self.history:
            if entry.size:
                previous = "sha256:" + digest("layer", previous, entry.created_by, entry.size)
                layers.append((previous, entry.size))
        return layers


def familiar(reference: str) -> str:
    """``reference`` as Docker shows it: without ``docker.io/library/`` and with a tag."""
    name = reference.removeprefix("docker.io/").removeprefix("library/")
    repository, tag = partition_reference(name)
    return f"{repository}:{tag or 'latest'}"


def is_content_step(created_by: str) -> bool:
    """Whether a history line adds files (RUN, COPY, ADD) rather than metadata."""
    text = created_by.removeprefix("/bin/sh -c ").lstrip("|0123456789 ")
    if text.startswith("#(nop)"):
        return text.removeprefix("#(nop)").strip().startswith(("ADD", "COPY"))
    return not text.startswith(
        (
            "ENV",
            "WORKDIR",
            "USER",
            "ENTRYPOINT",
            "CMD",
            "LABEL",
            "EXPOSE",
            "ARG",
            "VOLUME",
            "STOPSIGNAL",
            "HEALTHCHECK",
        )
    )


class ImageStore:
    """Every image the engine holds, by id, with a tag index."""

    def __init__(self, *, seed: int, epoch: float) -> None:
        self._seed = seed
        self._epoch = epoch
        self._images: dict[str, SimImage] = {}
        self._by_tag: dict[str, str] = {}
        self._pulled: set[str] = set()

    # ----------------------------------------------------------------- lookups

    def all(self) -> list[SimImage]:
        """Every image, newest first."""
        return sorted(self._images.values(), key=lambda i: i.created, reverse=True)

    def get(self, name: str) -> SimImage | None:
        """The image a tag reference or (possibly abbreviated) id names, or None."""
        if name:
            image_id = self._by_tag.get(familiar(name))
            if image_id:
                return self._images[image_id]
        hexpart = name.removeprefix("sha256:")
        if len(hexpart) >= 4 and self._looks_like_id(hexpart):
            matches = [i for i in self._images.values() if i.id[7:].startswith(hexpart)]
            if len(matches) == 1:
                return matches[0]
        return None

    def require(self, name: str) -> SimImage:
        """The image ``name`` names. Raises ``EngineError`` 404 as the daemon words it."""
        image = self.get(name)
        if image is None:
            shown = name if self._looks_like_id(name) else familiar(name)
            raise EngineError(404, f"No such image: {shown}")
        return image

    def children(self, image: SimImage) -> list[SimImage]:
        """The images built directly on ``image``."""
        return [i for i in self._images.values() if i.parent == image.id]

    # ----------------------------------------------------------------- writing

    def ensure_pulled(self, references: Iterable[str]) -> None:
        """Add, once each, the images ``references`` name as if pulled from their
        registry (a reference removed later is not pulled again)."""
        for reference in references:
            name = familiar(reference)
            if name not in self._pulled:
                self._pulled.add(name)
                if name not in self._by_tag:
                    self.add_pulled(name)

    def add_pulled(self, reference: str) -> SimImage:
        """An image for ``reference`` with the history its catalog profile describes."""
        name = familiar(reference)
        profile = profile_for(name)
        created = self._epoch - _DAY * (2 + 60 * unit_fraction(self._seed, "age", name))
        history = self._pulled_history(profile.layers, profile.size_bytes, created)
        image_id = "sha256:" + digest("image", self._seed, name)
        image = SimImage(
            id=image_id,
            parent="",
            created=created,
            history=history,
            history_ids=("<missing>",) * (len(history) - 1) + (image_id,),
            config={"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
            repo_digests=[
                f"{partition_reference(name)[0]}@sha256:{digest('manifest', self._seed, name)}"
            ],
        )
        self._images[image_id] = image
        self._add_tag(image, name)
        return image

    def add(self, image: SimImage) -> SimImage:
        """Store ``image`` (a build step's result); an image with the same id is reused."""
        return self._images.setdefault(image.id, image)

    def tag(self, name: str, repository: str, tag: str) -> None:
        """Point ``repository:tag`` at the image ``name`` names, moving the tag from
        any other image. Raises ``EngineError`` 404 / 400."""
        image = self.require(name)
        reference = f"{repository}:{tag or 'latest'}"
        problem = reference_problem(reference)
        if problem:
            raise EngineError(400, problem)
        self._add_tag(image, familiar(reference))

    def remove(
        self, name: str, *, force: bool, users: dict[str, tuple[str, bool]]
    ) -> list[dict[str, str]]:
        """Untag or delete as ``docker rmi`` does; returns the daemon's report
        (``[{"Untagged": ...}, {"Deleted": ...}]``). ``users`` maps image ids to a
        container (short id, running) using them. Raises ``EngineError`` 404 / 409."""
        image = self.require(name)
        report: list[dict[str, str]] = []
        by_id = self._looks_like_id(name) and familiar(name) not in self._by_tag
        user = users.get(image.id)
        if not by_id:
            reference = familiar(name)
            if len(image.tags) == 1 and user and not force:
                raise EngineError(
                    409,
                    f'conflict: unable to remove repository reference "{name}" '
                    f"(must force) - container {user[0]} is using its "
                    f"referenced image {short(image.id)}",
                )
            self._drop_tag(image, reference)
            report.append({"Untagged": reference})
            if image.tags or user or self.children(image):
                return report
        else:
            self._check_deletable(image, force=force, user=user)
            for reference in list(image.tags):
                self._drop_tag(image, reference)
                report.append({"Untagged": reference})
        return report + self._delete_chain(image)

    # ---------------------------------------------------------------- internal

    def _check_deletable(
        self, image: SimImage, *, force: bool, user: tuple[str, bool] | None
    ) -> None:
        who = short(image.id)
        if len(image.tags) > 1 and not force:
            raise EngineError(
                409,
                f"conflict: unable to delete {who} (must be forced) - "
                "image is referenced in multiple repositories",
            )
        if self.children(image):
            raise EngineError(
                409,
                f"conflict: unable to delete {who} (cannot be forced) - "
                "image has dependent child images",
            )
        if user and user[1]:
            raise EngineError(
                409,
                f"conflict: unable to delete {who} (cannot be forced) - "
                f"image is being used by running container {user[0]}",
            )
        if user and not force:
            raise EngineError(
                409,
                f"conflict: unable to delete {who} (must be forced) - "
                f"image is being used by stopped container {user[0]}",
            )

    def _delete_chain(self, image: SimImage) -> list[dict[str, str]]:
        """Delete ``image`` and then each parent left untagged and childless."""
        report = []
        current: SimImage | None = image
        while current is not None and not current.tags and not self.children(current):
            del self._images[current.id]
            report.append({"Deleted": current.id})
            current = self._images.get(current.parent)
        return report

    def _add_tag(self, image: SimImage, reference: str) -> None:
        old = self._by_tag.get(reference)
        if old and old != image.id:
            self._images[old].tags.remove(reference)
        self._by_tag[reference] = image.id
        if reference not in image.tags:
            image.tags.append(reference)

    def _drop_tag(self, image: SimImage, reference: str) -> None:
        image.tags.remove(reference)
        del self._by_tag[reference]

    @staticmethod
    def _looks_like_id(name: str) -> bool:
        hexpart = name.removeprefix("sha256:")
        return bool(hexpart) and all(c in "0123456789abcdef" for c in hexpart)

    def _pulled_history(
        self, lines: tuple[str, ...], total: int, created: float
    ) -> tuple[HistoryEntry, ...]:
        """History entries for catalog layer lines: content steps share ``total``
        (each sized by its own text, so a shared base has the same size everywhere;
        the last content step takes the rest), metadata steps are empty."""
        content = [i for i, line in enumerate(lines) if is_content_step(line)]
        sizes = {i: int((5 + 145 * unit_fraction("layer-size", lines[i])) * _MB) for i in content}
        if content:
            fixed = sum(sizes[i] for i in content[:-1])
            if fixed > total * 0.8:
                scale = total * 0.8 / fixed
                for i in content[:-1]:
                    sizes[i] = int(sizes[i] * scale)
                fixed = sum(sizes[i] for i in content[:-1])
            sizes[content[-1]] = max(total - fixed, 0)
        base_age = _DAY * 30
        return tuple(
            HistoryEntry(
                created=created - base_age * (1 - i / len(lines)),
                created_by=line,
                size=sizes.get(i, 0),
            )
            for i, line in enumerate(lines)
        )
