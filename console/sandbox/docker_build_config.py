"""How a build's metadata instructions change the image config, and how the legacy
builder records them in history (``/bin/sh -c #(nop)  ENV A=1``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from console.sandbox.docker_dockerfile import Instruction, expand
from console.sandbox.docker_images import SimImage

DEFAULT_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(slots=True)
class StageState:
    """What a stage carries from step to step: its current image, config and ARGs."""

    image: SimImage | None = None
    config: dict[str, Any] = field(default_factory=lambda: {"Env": [DEFAULT_ENV]})
    args: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        pairs = (e.partition("=") for e in self.config.get("Env", []))
        return {**self.args, **{k: v for k, _, v in pairs}}


def configure(instruction: Instruction, state: StageState, build_args: dict[str, str]) -> None:
    """Apply a metadata instruction to the stage's image config."""
    keyword, config = instruction.keyword, state.config
    if keyword == "ENV":
        env = dict(e.partition("=")[::2] for e in config.get("Env", []))
        env.update({k: expand(v, state.env()) for k, v in pairs(instruction)})
        config["Env"] = [f"{k}={v}" for k, v in env.items()]
    elif keyword == "ARG":
        name, _, default = instruction.args.partition("=")
        state.args[name] = build_args.get(name, default)
    elif keyword == "LABEL":
        config.setdefault("Labels", {}).update(dict(pairs(instruction)))
    elif keyword in ("CMD", "ENTRYPOINT"):
        words = instruction.json_args or ("/bin/sh", "-c", instruction.args)
        config["Cmd" if keyword == "CMD" else "Entrypoint"] = list(words)
    elif keyword == "WORKDIR":
        config["WorkingDir"] = expand(instruction.args, state.env())
    elif keyword == "USER":
        config["User"] = instruction.args
    elif keyword == "EXPOSE":
        ports: dict[str, dict[str, str]] = {
            f"{p}/tcp" if "/" not in p else p: {} for p in instruction.args.split()
        }
        config.setdefault("ExposedPorts", {}).update(ports)


def nop_text(instruction: Instruction, state: StageState) -> str:
    """The ``#(nop)`` text the legacy builder records in history."""
    keyword = instruction.keyword
    if keyword in ("CMD", "ENTRYPOINT"):
        words = state.config["Cmd" if keyword == "CMD" else "Entrypoint"]
        return f"{keyword} [" + " ".join(json.dumps(w) for w in words) + "]"
    if keyword == "ENV":
        return "ENV " + " ".join(f"{k}={v}" for k, v in pairs(instruction))
    return f"{keyword} {instruction.args}"


def pairs(instruction: Instruction) -> list[tuple[str, str]]:
    """``KEY=value`` pairs of ENV and LABEL (the old ``ENV KEY value`` form too)."""
    words = instruction.words()
    if words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    return [(w.partition("=")[0], w.partition("=")[2]) for w in words]
