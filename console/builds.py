"""The build form's input, checked before anything is sent to the daemon.

``parse_build_form`` turns what the operator typed (a context directory, a
Dockerfile path, tags, build args, a target, no-cache) into a ``BuildRequest``,
or raises ``BuildFormInvalid`` with one precise sentence per field that is wrong,
so the form can show each under its input. Nothing here talks to Docker.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from console.validation import ValidationError, parse_image_reference

__all__ = [
    "BuildForm",
    "BuildFormInvalid",
    "BuildRequest",
    "dockerfile_stages",
    "parse_build_form",
]

T = TypeVar("T")

_ARG_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STAGE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_FROM_AS = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*\S+\s+AS\s+(\S+)\s*$", re.IGNORECASE | re.MULTILINE)
#: Bytes of a Dockerfile read to list its stages (a Dockerfile is small).
_DOCKERFILE_READ_LIMIT = 1 << 20


@dataclass(frozen=True, slots=True)
class BuildForm:
    """The form's fields exactly as typed (tags comma-separated, build args
    space-separated ``KEY=VALUE`` words, quoted where a value has a space)."""

    context: str
    dockerfile: str = "Dockerfile"
    tags: str = ""
    build_args: str = ""
    target: str = ""
    no_cache: bool = False


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """A validated build: an existing context directory, a Dockerfile inside it
    (relative to it), well-formed tags, build args by name, an optional target."""

    context_dir: Path
    dockerfile: str = "Dockerfile"
    tags: tuple[str, ...] = ()
    build_args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None
    no_cache: bool = False


class BuildFormInvalid(ValidationError):
    """Some fields are wrong. ``problems`` maps each field name of ``BuildForm`` to
    its sentence; ``message`` is the first of them."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__(next(iter(problems.values())))
        self.problems = dict(problems)


def parse_build_form(form: BuildForm, *, cwd: Path | None = None) -> BuildRequest:
    """The ``BuildRequest`` the form describes; a relative context is taken from
    ``cwd`` (the process's working directory when None) and ``~`` is expanded.

    Raises ``BuildFormInvalid`` naming every wrong field: a context that is empty,
    missing or not a directory; a Dockerfile missing from the context or outside
    it; a tag that is not an image reference (a space, an upper-case repository) or
    carries a digest; a build arg without ``=``, with an invalid name, or given
    twice; a target that is not a stage name or not a stage of the Dockerfile.
    """
    problems: dict[str, str] = {}
    context = _check(problems, "context", lambda: _context_dir(form.context, cwd))
    dockerfile = None
    if context is not None:
        dockerfile = _check(problems, "dockerfile", lambda: _dockerfile(context, form.dockerfile))
    tags = _check(problems, "tags", lambda: _tags(form.tags))
    args = _check(problems, "build_args", lambda: _build_args(form.build_args))
    target = _check(problems, "target", lambda: _target(form.target, context, dockerfile))
    if problems:
        raise BuildFormInvalid(problems)
    assert context is not None and dockerfile is not None and tags is not None
    assert args is not None
    return BuildRequest(context, dockerfile, tags, args, target or None, form.no_cache)


def _check(problems: dict[str, str], name: str, parse: Callable[[], T]) -> T | None:
    """``parse()``, or None with its ``ValidationError`` message filed under ``name``."""
    try:
        return parse()
    except ValidationError as exc:
        problems[name] = exc.message
        return None


def _context_dir(text: str, cwd: Path | None) -> Path:
    raw = text.strip()
    if not raw:
        raise ValidationError("enter the build context: the directory sent to the daemon")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    if not path.exists():
        raise ValidationError(f"the context directory {path} does not exist")
    if not path.is_dir():
        raise ValidationError(f"the context {path} is a file; give the directory that holds it")
    return path.resolve()


def _dockerfile(context: Path, text: str) -> str:
    raw = text.strip() or "Dockerfile"
    candidate = (context / raw).resolve()
    if not candidate.is_relative_to(context):
        raise ValidationError(f"the Dockerfile {raw} is outside the context {context}")
    if not candidate.is_file():
        raise ValidationError(f"there is no Dockerfile {raw} in the context {context}")
    return candidate.relative_to(context).as_posix()


def _tags(text: str) -> tuple[str, ...]:
    tags: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            reference = parse_image_reference(part)
        except ValidationError as exc:
            raise ValidationError(f"tag '{part.strip()}': {exc.message}") from exc
        if reference.digest:
            raise ValidationError(f"tag '{part.strip()}': a build tag cannot name a digest")
        tags.append(str(reference))
    return tuple(tags)


def _build_args(text: str) -> dict[str, str]:
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ValidationError(f"build args: {exc} (close the quote)") from exc
    args: dict[str, str] = {}
    for word in words:
        key, equals, value = word.partition("=")
        if not equals:
            raise ValidationError(f"build arg '{word}' has no '=': write it as {word}=value")
        if not _ARG_KEY.fullmatch(key):
            raise ValidationError(
                f"build arg name '{key}' is invalid: use letters, digits and '_', "
                "not starting with a digit"
            )
        if key in args:
            raise ValidationError(f"build arg {key} is given twice")
        args[key] = value
    return args


def _target(text: str, context: Path | None, dockerfile: str | None) -> str:
    target = text.strip()
    if not target:
        return ""
    if not _STAGE.fullmatch(target):
        raise ValidationError(
            f"target '{target}' is not a stage name: use letters, digits, '_', '.' or '-', "
            "starting with a letter"
        )
    if context is None or dockerfile is None:
        return target
    stages = dockerfile_stages(context / dockerfile)
    if target.lower() not in stages:
        named = ", ".join(stages) if stages else "none are named (FROM … AS <name>)"
        raise ValidationError(f"target '{target}' is not a stage of {dockerfile} (stages: {named})")
    return target


def dockerfile_stages(path: Path) -> list[str]:
    """The named stages (``FROM image AS name``) of the Dockerfile at ``path``,
    lower-cased as the builder compares them. Raises ``ValidationError`` when the
    file cannot be read."""
    try:
        with path.open("rb") as handle:
            text = handle.read(_DOCKERFILE_READ_LIMIT).decode("utf-8", errors="replace")
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return [name.lower() for name in _FROM_AS.findall(text)]
