"""Reading a Dockerfile as the legacy builder does.

Comments and blank lines are dropped, ``\\`` continues a line (comment lines
inside a continuation are skipped), the keyword is case-insensitive, and the
arguments are kept as written (``original`` is what ``Step N/M :`` prints).
Arguments in JSON array form (``RUN ["a", "b"]``) are decoded. Stages start at
each ``FROM``; ``ARG`` lines before the first ``FROM`` are global and not steps.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

KEYWORDS = frozenset(
    {
        "FROM",
        "RUN",
        "COPY",
        "ADD",
        "ENV",
        "WORKDIR",
        "CMD",
        "ENTRYPOINT",
        "ARG",
        "LABEL",
        "EXPOSE",
        "USER",
        "VOLUME",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
        "ONBUILD",
        "MAINTAINER",
    }
)
_FLAG = re.compile(r"--([a-z-]+)=(\S+)\s+")
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


class DockerfileError(ValueError):
    """The Dockerfile cannot be parsed; the message is the daemon's wording."""


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction: its keyword (upper case), its arguments and flags."""

    keyword: str
    args: str
    original: str
    line: int
    #: The decoded JSON array form, or None for the shell form.
    json_args: tuple[str, ...] | None = None
    flags: dict[str, str] = field(default_factory=dict)

    def words(self) -> list[str]:
        """The arguments as a list: the JSON array, else split as a shell would."""
        if self.json_args is not None:
            return list(self.json_args)
        try:
            return shlex.split(self.args)
        except ValueError:
            return self.args.split()


@dataclass(frozen=True, slots=True)
class Stage:
    """One ``FROM`` and the instructions after it."""

    base: str
    name: str
    instructions: tuple[Instruction, ...]


def parse(text: str) -> list[Instruction]:
    """The instructions of ``text``. Raises ``DockerfileError`` for an unknown
    instruction or an empty file, with the legacy builder's message."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(raw.rstrip()[:-1])
            continue
        pending.append(raw)
        instructions.append(_instruction(" ".join(p.strip() for p in pending if p.strip()), start))
        pending = []
    if pending:
        instructions.append(_instruction(" ".join(p.strip() for p in pending if p.strip()), start))
    if not instructions:
        raise DockerfileError("the Dockerfile (Dockerfile) cannot be empty")
    return instructions


def stages(instructions: list[Instruction]) -> tuple[list[Instruction], list[Stage]]:
    """The global ``ARG``s before the first ``FROM``, and the stages. Raises
    ``DockerfileError`` when an instruction comes before any ``FROM``."""
    global_args: list[Instruction] = []
    result: list[Stage] = []
    current: list[Instruction] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            if current:
                result.append(_stage(current))
            current = [instruction]
        elif current:
            current.append(instruction)
        elif instruction.keyword == "ARG":
            global_args.append(instruction)
        else:
            raise DockerfileError("Please provide a source image with `from` prior to commit")
    if current:
        result.append(_stage(current))
    if not result:
        raise DockerfileError("No image was generated. Is your Dockerfile empty?")
    return global_args, result


def expand(text: str, variables: dict[str, str]) -> str:
    """``text`` with ``$NAME`` and ``${NAME}`` replaced from ``variables`` (unknown
    names become empty, as in a shell)."""
    return _VARIABLE.sub(lambda m: variables.get(m[1] or m[2], ""), text)


def _stage(instructions: list[Instruction]) -> Stage:
    words = instructions[0].args.split()
    base = words[0] if words else ""
    name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else ""
    return Stage(base=base, name=name, instructions=tuple(instructions))


def _instruction(line: str, number: int) -> Instruction:
    keyword, _, rest = line.partition(" ")
    upper = keyword.upper()
    if upper not in KEYWORDS:
        raise DockerfileError(
            f"dockerfile parse error line {number}: unknown instruction: {keyword.upper()}"
        )
    rest = rest.strip()
    flags: dict[str, str] = {}
    if upper in ("COPY", "ADD", "FROM", "RUN"):
        while match := _FLAG.match(rest):
            flags[match[1]] = match[2]
            rest = rest[match.end() :]
    json_args: tuple[str, ...] | None = None
    if rest.startswith("["):
        try:
            decoded = json.loads(rest)
        except ValueError:
            decoded = None
        if isinstance(decoded, list) and all(isinstance(w, str) for w in decoded):
            json_args = tuple(decoded)
    return Instruction(upper, rest, line, number, json_args, flags)
