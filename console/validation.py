"""Operator input, checked before anything is sent: replica counts, image references,
durations.

Each parser returns the parsed value or raises ``ValidationError`` whose message
says exactly what is wrong and what would be accepted, ready to show under the
input field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ImageReference",
    "ValidationError",
    "parse_duration",
    "parse_image_reference",
    "parse_replicas",
]


class ValidationError(ValueError):
    """Input the console refuses; ``message`` is the sentence shown to the operator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------------ replicas

_DIGITS = re.compile(r"[0-9]+")
_NEGATIVE = re.compile(r"-[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+|[+-]?[0-9]+\.[0-9]*")
_POWER = re.compile(r"(?P<base>[0-9]+(?:\.[0-9]+)?)\s*(?:[eE]\+?|\^|\*\*)\s*(?P<exp>[0-9]{1,3})")


def parse_replicas(text: str, max_replicas: int) -> int:
    """The replica count typed in ``text``: a whole number from 0 to ``max_replicas``.

    Surrounding spaces are ignored; only plain ASCII digits are accepted.
    Raises ``ValidationError`` naming the problem: empty, negative, not a whole
    number (``abc``, ``3.5``, ``1e9``, ``10^9``), or above the configured limit.
    """
    raw = text.strip()
    limit = f"0 to {max_replicas}"
    if not raw:
        raise ValidationError(f"enter a whole number of replicas from {limit}")
    if _NEGATIVE.fullmatch(raw):
        if int(raw) == 0:
            return 0
        raise ValidationError(f"replicas cannot be negative (got {raw})")
    if _DIGITS.fullmatch(raw):
        return _within_limit(raw, max_replicas)
    power = _POWER.fullmatch(raw)
    if power:
        value = _power_value(power)
        if value is not None and value > max_replicas:
            raise ValidationError(
                f"{raw} means {_shorten(str(value))}, which is {_above_limit(max_replicas)}"
            )
        plain = f"; write it as {value}" if value is not None else f"; enter {limit}"
        raise ValidationError(f"'{raw}' is not a whole number in plain digits{plain}")
    if _DECIMAL.fullmatch(raw):
        if float(raw) < 0:
            raise ValidationError(f"replicas cannot be negative (got {raw})")
        raise ValidationError(f"'{raw}' is not a whole number; enter {limit}")
    raise ValidationError(f"'{raw}' is not a whole number; enter {limit}")


def _within_limit(digits: str, max_replicas: int) -> int:
    """``digits`` as an int if it is at most ``max_replicas``; raises ``ValidationError``."""
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(max_replicas)) or int(significant) > max_replicas:
        raise ValidationError(f"{_shorten(significant)} is {_above_limit(max_replicas)}")
    return int(significant)


def _above_limit(max_replicas: int) -> str:
    return f"above the limit of {max_replicas} (operations.max_replicas in config)"


def _shorten(digits: str) -> str:
    return digits if len(digits) <= 20 else f"{digits[:12]}… ({len(digits)} digits)"


def _power_value(match: re.Match[str]) -> int | None:
    """The integer a ``1e9`` / ``10^9`` style number denotes, or None if it is not whole."""
    base, exp = match["base"], int(match["exp"])
    caret = "e" not in match.group(0).lower()
    if caret:
        if "." in base:
            return None
        power: int = int(base) ** exp
        return power
    mantissa, _, fraction = base.partition(".")
    digits = mantissa + fraction
    shift = exp - len(fraction)
    if shift < 0:
        kept, dropped = digits[:shift], digits[shift:]
        return int(kept or "0") if set(dropped) <= {"0"} else None
    scaled: int = int(digits) * 10**shift
    return scaled


# ------------------------------------------------------------ image references

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(
    rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?"
)
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_DIGEST_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
_NAME_MAX = 255


@dataclass(frozen=True, slots=True)
class ImageReference:
    """A parsed image reference: ``[registry/]repository[:tag][@digest]``.

    ``registry`` is "" when the reference names none (Docker Hub is implied).
    """

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The reference without tag or digest (``registry/repository``)."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    def __str__(self) -> str:
        tag = f":{self.tag}" if self.tag else ""
        digest = f"@{self.digest}" if self.digest else ""
        return f"{self.name}{tag}{digest}"


def parse_image_reference(text: str) -> ImageReference:
    """The image reference in ``text``, by the grammar of ``distribution/reference``.

    Surrounding spaces are ignored. Raises ``ValidationError`` for an empty
    reference, a space inside it, an uppercase repository, an empty or malformed
    path component, a bad registry port, a malformed tag or digest, or a name
    longer than 255 characters.
    """
    raw = text.strip()
    if not raw:
        raise ValidationError(
            "enter an image reference, e.g. registry.example.com:5000/team/model-server:1.4"
        )
    space = re.search(r"\s", raw)
    if space:
        raise ValidationError(
            f"an image reference cannot contain spaces (found one at position {space.start() + 1})"
        )
    rest, _, digest = raw.partition("@")
    if digest or raw.endswith("@"):
        _check_digest(digest)
    name, tag = _split_tag(rest)
    registry, repository = _split_registry(name)
    if len(name) > _NAME_MAX:
        raise ValidationError(f"the image name is {len(name)} characters; at most 255 are allowed")
    for part in repository.split("/"):
        _check_path_component(part, repository)
    return ImageReference(registry, repository, tag, digest or None)


def _split_tag(rest: str) -> tuple[str, str | None]:
    """``rest`` split into name and tag at a ``:`` after the last ``/``."""
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon <= slash:
        return rest, None
    name, tag = rest[:colon], rest[colon + 1 :]
    if not _TAG.fullmatch(tag):
        raise ValidationError(
            f"tag '{tag}' is invalid: a tag is 1 to 128 letters, digits, '_', '.' or '-', "
            "and cannot start with '.' or '-'"
        )
    return name, tag


def _split_registry(name: str) -> tuple[str, str]:
    """``name`` split into registry host and repository path.

    The first component is a registry when it has a ``.`` or ``:``, is
    ``localhost``, or has an uppercase letter (as Docker decides).
    """
    first, slash, remainder = name.partition("/")
    looks_like_host = "." in first or ":" in first or first == "localhost" or first != first.lower()
    if not slash or not looks_like_host:
        return "", name
    if not _DOMAIN.fullmatch(first):
        host, _, port = first.rpartition(":")
        if host and not port.isdigit():
            raise ValidationError(f"registry '{first}' has an invalid port '{port}'")
        raise ValidationError(f"'{first}' is not a valid registry host")
    return first, remainder


def _check_path_component(part: str, repository: str) -> None:
    if not part:
        raise ValidationError(f"'{repository}' has an empty path component (look for '//')")
    if part != part.lower():
        raise ValidationError(
            f"repository names must be lowercase: '{repository}' (use '{repository.lower()}')"
        )
    if not _PATH_COMPONENT.fullmatch(part):
        raise ValidationError(
            f"'{part}' is not a valid repository path component: use lowercase letters and "
            "digits, separated by '.', '_', '__' or '-'"
        )


def _check_digest(digest: str) -> None:
    if not _DIGEST.fullmatch(digest):
        raise ValidationError(
            f"digest '{digest}' is invalid: write it as algorithm:hex, e.g. sha256:<64 hex digits>"
        )
    algorithm, _, hex_part = digest.partition(":")
    expected = _DIGEST_HEX_LENGTH.get(algorithm)
    if expected is not None and len(hex_part) != expected:
        raise ValidationError(
            f"digest '{digest}' is invalid: {algorithm} digests have {expected} hex digits, "
            f"this one has {len(hex_part)}"
        )


# ------------------------------------------------------------------ durations

_DURATION_PART = re.compile(r"([0-9]+)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def parse_duration(text: str) -> int:
    """Seconds in a duration such as ``90s``, ``5m``, ``1h30m`` or ``2d``.

    Raises ``ValidationError`` when the text is empty, has no unit, has an unknown
    unit, or adds up to zero.
    """
    raw = text.strip().lower()
    if not raw:
        raise ValidationError("enter a duration such as 30s, 5m, 1h30m or 2d")
    if raw.isdigit():
        raise ValidationError(f"'{raw}' has no unit; add s, m, h or d (e.g. {raw}s)")
    parts = _DURATION_PART.findall(raw)
    if "".join(n + u for n, u in parts) != raw:
        raise ValidationError(f"'{text.strip()}' is not a duration; use s, m, h or d, e.g. 1h30m")
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in parts)
    if seconds == 0:
        raise ValidationError("a duration must be longer than 0s")
    return seconds
