"""What a Docker operation is: the action, its image or container, its parameters,
and how to say it — in a sentence and as the equivalent ``docker`` command.

Plain data, built by a screen, checked and audited by ``console.docker_ops``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from console.builds import BuildRequest

__all__ = ["DockerAction", "DockerOperation"]

ParamValue = int | str | bool


class DockerAction(StrEnum):
    """The mutations the console performs on a Docker Engine."""

    BUILD = "build"
    PUSH = "push"
    REMOVE_IMAGE = "remove_image"
    START = "start"
    STOP = "stop"
    RESTART = "restart"


class DockerOperation(BaseModel):
    """One mutation of one image or container.

    ``name`` is the image reference (for a build, its first tag or the context
    directory when untagged) or the container's name. Build args are kept as
    ``arg:<NAME>`` parameters so the audit log redacts secret-looking ones.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: DockerAction
    name: str
    params: dict[str, ParamValue] = {}

    @classmethod
    def build(cls, request: BuildRequest) -> DockerOperation:
        """Build ``request``."""
        params: dict[str, ParamValue] = {
            "context": str(request.context_dir),
            "dockerfile": request.dockerfile,
            "tags": ",".join(request.tags),
            "no_cache": request.no_cache,
        }
        if request.target:
            params["target"] = request.target
        params.update({f"arg:{key}": value for key, value in request.build_args.items()})
        name = request.tags[0] if request.tags else str(request.context_dir)
        return cls(action=DockerAction.BUILD, name=name, params=params)

    @classmethod
    def push(cls, reference: str) -> DockerOperation:
        """Push ``reference`` to its registry."""
        return cls(action=DockerAction.PUSH, name=reference)

    @classmethod
    def remove_image(cls, reference: str, *, force: bool = False) -> DockerOperation:
        """Remove an image (a tag untags it; an id deletes it)."""
        return cls(action=DockerAction.REMOVE_IMAGE, name=reference, params={"force": force})

    @classmethod
    def container(cls, name: str, action: Literal["start", "stop", "restart"]) -> DockerOperation:
        """Start, stop or restart the container ``name``."""
        return cls(action=DockerAction(action), name=name)

    @property
    def kind(self) -> str:
        """ "Image" or "Container", as the audit log records it."""
        container = (DockerAction.START, DockerAction.STOP, DockerAction.RESTART)
        return "Container" if self.action in container else "Image"

    @property
    def target(self) -> str:
        """``image registry.acme.ai/x:1`` or ``container vllm-dev``."""
        return f"{self.kind.lower()} {self.name}"

    def describe(self, *, done: bool = False) -> str:
        """The operation as a sentence, present or (``done``) past tense."""
        present, past = _WORDING[self.action]
        return (past if done else present).format(target=self.target, name=self.name)

    def docker_command(self) -> list[str]:
        """The ``docker`` argv that does the same, e.g. ``["docker", "rmi", "x:1"]``."""
        match self.action:
            case DockerAction.BUILD:
                argv = ["docker", "build"]
                for tag in filter(None, str(self.params.get("tags", "")).split(",")):
                    argv += ["-t", tag]
                context = str(self.params["context"])
                dockerfile = str(self.params.get("dockerfile", "Dockerfile"))
                if dockerfile != "Dockerfile":
                    argv += ["-f", f"{context.rstrip('/')}/{dockerfile}"]
                for key, value in self.params.items():
                    if key.startswith("arg:"):
                        argv += ["--build-arg", f"{key.removeprefix('arg:')}={value}"]
                if self.params.get("target"):
                    argv += ["--target", str(self.params["target"])]
                if self.params.get("no_cache"):
                    argv.append("--no-cache")
                return [*argv, context]
            case DockerAction.PUSH:
                return ["docker", "push", self.name]
            case DockerAction.REMOVE_IMAGE:
                force = ["--force"] if self.params.get("force") else []
                return ["docker", "rmi", *force, self.name]
            case _:
                return ["docker", self.action.value, self.name]


_WORDING: dict[DockerAction, tuple[str, str]] = {
    DockerAction.BUILD: ("build {target}", "built {target}"),
    DockerAction.PUSH: ("push {target}", "pushed {target}"),
    DockerAction.REMOVE_IMAGE: ("remove {target}", "removed {target}"),
    DockerAction.START: ("start {target}", "started {target}"),
    DockerAction.STOP: ("stop {target}", "stopped {target}"),
    DockerAction.RESTART: ("restart {target}", "restarted {target}"),
}
