"""What a build's ``RUN`` prints, without running anything.

The sandbox never executes a Dockerfile's commands. It reads the shell script as
``/bin/sh -c`` would split it (``&&``, ``||``, ``;``, newlines), expands
variables, and answers for the few commands whose output and status matter to
someone watching a build: ``echo``/``printf`` print, ``exit N`` and ``false``
fail, ``sleep`` takes time, ``pip install`` and ``apt-get`` print what they
usually print. Every other command succeeds silently.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from console.sandbox.docker_dockerfile import expand
from console.sandbox.docker_format import unit_fraction

_OPERATOR = re.compile(r"(&&|\|\||;|\n)")
#: Simulated seconds at most one ``sleep`` takes (builds in the sandbox stay quick).
MAX_SLEEP = 3.0


@dataclass(slots=True)
class RunResult:
    """The simulated outcome of one ``RUN``: output lines, exit status, seconds taken."""

    lines: list[str] = field(default_factory=list)
    status: int = 0
    seconds: float = 0.05


def split_script(script: str) -> list[tuple[str, str]]:
    """``(operator before, command)`` pairs; the first operator is ";". Operators
    inside quotes are left alone."""
    parts: list[tuple[str, str]] = []
    operator, current, quote = ";", "", ""
    for piece in _OPERATOR.split(script):
        if not quote and _OPERATOR.fullmatch(piece):
            if current.strip():
                parts.append((operator, current.strip()))
            operator, current = piece if piece != "\n" else ";", ""
            continue
        current += piece
        for char in piece:
            if char in "'\"" and (not quote or quote == char):
                quote = "" if quote else char
    if current.strip():
        parts.append((operator, current.strip()))
    return parts


def simulate(script: str, env: dict[str, str]) -> RunResult:
    """Run ``script`` in imagination: see the module docstring."""
    result = RunResult()
    for operator, command in split_script(script):
        if (operator == "&&" and result.status) or (operator == "||" and not result.status):
            continue
        try:
            words = shlex.split(expand(command, env))
        except ValueError:
            words = command.split()
        if not words:
            continue
        if words[0] == "exit":
            result.status = int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
            return result
        result.status = _command(words, result)
    return result


def _command(words: list[str], result: RunResult) -> int:
    """Add one command's output to ``result``; return its exit status."""
    name, args = words[0].rsplit("/", 1)[-1], words[1:]
    if name == "false":
        return 1
    if name == "echo":
        text = " ".join(a for a in args if a not in ("-n", "-e"))
        result.lines += text.split("\n")
    elif name == "printf" and args:
        result.lines += [line for line in args[0].replace("\\n", "\n").split("\n") if line]
    elif name == "sleep" and args:
        try:
            result.seconds += min(float(args[0].rstrip("s")), MAX_SLEEP)
        except ValueError:
            return 1
    elif name in ("pip", "pip3") and args[:1] == ["install"]:
        result.lines += _pip_install([a for a in args[1:] if not a.startswith("-")])
        result.seconds += 0.4
    elif name in ("apt-get", "apt") and args[:1] == ["update"]:
        result.lines += [
            "Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]",
            "Get:2 http://deb.debian.org/debian bookworm-updates InRelease [55.4 kB]",
            "Get:3 http://deb.debian.org/debian bookworm/main amd64 Packages [8792 kB]",
            "Fetched 9118 kB in 1s (7311 kB/s)",
            "Reading package lists...",
        ]
        result.seconds += 0.3
    elif name in ("apt-get", "apt") and args[:1] == ["install"]:
        result.lines += _apt_install([a for a in args[1:] if not a.startswith("-")])
        result.seconds += 0.4
    return 0


def _pip_install(packages: list[str]) -> list[str]:
    lines: list[str] = []
    installed: list[str] = []
    for package in packages:
        name, _, pinned = package.partition("==")
        name = re.split(r"[<>=!~\[]", name)[0]
        major, minor = 1 + int(4 * unit_fraction("pip", name)), int(20 * unit_fraction(name))
        version = pinned or f"{major}.{minor}.0"
        size = 40 + int(900 * unit_fraction("wheel", name))
        lines += [
            f"Collecting {package}",
            f"  Downloading {name.replace('-', '_')}-{version}-py3-none-any.whl ({size} kB)",
        ]
        installed.append(f"{name}-{version}")
    if installed:
        lines += [
            f"Installing collected packages: {', '.join(n.rsplit('-', 1)[0] for n in installed)}",
            f"Successfully installed {' '.join(installed)}",
        ]
    return lines


def _apt_install(packages: list[str]) -> list[str]:
    return [
        "Reading package lists...",
        "Building dependency tree...",
        "Reading state information...",
        "The following NEW packages will be installed:",
        "  " + " ".join(packages),
        f"0 upgraded, {len(packages)} newly installed, 0 to remove and 0 not upgraded.",
        *(f"Setting up {p} ..." for p in packages),
    ]


def layer_size(command: str) -> int:
    """Bytes a ``RUN`` adds: tens to hundreds of MB for installs, a few kB otherwise."""
    if re.search(r"\b(pip3?|apt-get|apt|conda|curl|wget|make)\b", command):
        return int((20 + 380 * unit_fraction("run-size", command)) * 1_000_000)
    if re.search(r"\b(echo|printf|true|false|exit|sleep)\b", command) and ">" not in command:
        return 0
    return int(4096 * (1 + 8 * unit_fraction("run-size", command)))
