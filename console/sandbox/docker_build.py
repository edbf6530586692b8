"""``POST /build`` in the sandbox: the legacy builder's steps over a real tar context.

The context is the tar the client sends; the Dockerfile is read from it and walked
instruction by instruction, streaming the JSON lines ``docker build`` (with
``DOCKER_BUILDKIT=0``) prints: ``Step N/M : ...``, `` ---> Running in ...``,
the command's output, `` ---> <id>``, then ``Successfully built`` and
``Successfully tagged``. Each step commits an image whose history records it, so
the built image shows up in ``docker images`` and ``docker history``. Repeated
steps hit the build cache (`` ---> Using cache``) unless ``nocache`` is set.

Failures stream as ``errorDetail`` the way the daemon words them: a ``RUN`` that
exits non-zero, a ``COPY`` of a file the context lacks, an unknown instruction,
a ``FROM`` image that cannot be pulled.
"""

from __future__ import annotations

import asyncio
import fnmatch
import gzip
import io
import json
import tarfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from console.sandbox.docker_build_config import StageState, configure, nop_text
from console.sandbox.docker_dockerfile import DockerfileError, Instruction, expand, parse, stages
from console.sandbox.docker_format import digest, short
from console.sandbox.docker_images import HistoryEntry, ImageStore, SimImage, familiar
from console.sandbox.docker_registry import Registries
from console.sandbox.docker_shell import layer_size, simulate

Message = dict[str, Any]


@dataclass(frozen=True, slots=True)
class BuildRequest:
    """What the client asked for: the context's files (path -> bytes) and options."""

    files: dict[str, bytes]
    dockerfile: str = "Dockerfile"
    tags: tuple[str, ...] = ()
    build_args: dict[str, str] = field(default_factory=dict)
    target: str = ""
    no_cache: bool = False


def read_context(body: bytes) -> dict[str, bytes]:
    """The regular files of a (possibly gzipped) tar build context, by path."""
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as archive:
        for member in archive:
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is not None:
                files[member.name.removeprefix("./")] = handle.read()
    return files


def _stream(text: str) -> Message:
    return {"stream": text}


def _error(message: str, code: int | None = None) -> Message:
    detail: dict[str, Any] = {"message": message}
    if code is not None:
        detail["code"] = code
    return {"errorDetail": detail, "error": message}


class Builder:
    """Runs builds against an image store; ``pace`` scales simulated durations."""

    def __init__(
        self,
        images: ImageStore,
        registries: Registries,
        *,
        clock: Callable[[], float],
        seed: int,
        pace: float = 1.0,
    ) -> None:
        self._images = images
        self._registries = registries
        self._clock = clock
        self._seed = seed
        self._pace = pace
        self._cache: dict[tuple[str, str], str] = {}
        self._containers = 0

    async def run(self, request: BuildRequest) -> AsyncIterator[Message]:
        """The stream of one build (see the module docstring)."""
        text = request.files.get(request.dockerfile.removeprefix("./"))
        if text is None:
            yield _error(f"Cannot locate specified Dockerfile: {request.dockerfile}")
            return
        try:
            global_args, all_stages = stages(parse(text.decode("utf-8", "replace")))
        except DockerfileError as exc:
            yield _error(str(exc))
            return
        names = [s.name for s in all_stages]
        if request.target:
            if request.target.lower() not in names:
                yield _error(f"failed to reach build target {request.target} in Dockerfile")
                return
            all_stages = all_stages[: names.index(request.target.lower()) + 1]
        total = sum(len(s.instructions) for s in all_stages)
        declared = {a.args.partition("=")[0] for a in global_args}
        defaults = {a.args.partition("=")[0]: a.args.partition("=")[2] for a in global_args}
        meta_args = {**defaults, **{k: v for k, v in request.build_args.items() if k in declared}}
        built: dict[str, SimImage | None] = {}
        step = 0
        state = StageState()
        for index, stage in enumerate(all_stages):
            state = StageState()
            for instruction in stage.instructions:
                step += 1
                yield _stream(f"Step {step}/{total} : {instruction.original}")
                yield _stream("\n")
                await asyncio.sleep(0.02 * self._pace)
                failed = False
                async for message in self._step(instruction, state, request, meta_args, built):
                    yield message
                    failed = failed or "error" in message
                if failed:
                    return
                declared.update(state.args)
            built[stage.name or str(index)] = built[str(index)] = state.image
        unused = sorted(set(request.build_args) - declared)
        if unused:
            yield _stream(f"[Warning] One or more build-args {unused} were not consumed\n")
        if state.image is None:
            yield _error("No image was generated. Is your Dockerfile empty?")
            return
        yield {"aux": {"ID": state.image.id}}
        yield _stream(f"Successfully built {short(state.image.id)}\n")
        for tag in request.tags:
            repository, _, version = familiar(tag).rpartition(":")
            self._images.tag(state.image.id, repository, version)
            yield _stream(f"Successfully tagged {familiar(tag)}\n")

    # -------------------------------------------------------------------- steps

    async def _step(
        self,
        instruction: Instruction,
        state: StageState,
        request: BuildRequest,
        meta_args: dict[str, str],
        built: dict[str, SimImage | None],
    ) -> AsyncIterator[Message]:
        keyword = instruction.keyword
        if keyword == "FROM":
            async for message in self._from(instruction, state, meta_args, built):
                yield message
        elif keyword in ("COPY", "ADD"):
            async for message in self._copy(instruction, state, request, built):
                yield message
        elif keyword == "RUN":
            async for message in self._run(instruction, state, request):
                yield message
        else:
            configure(instruction, state, request.build_args)
            value = nop_text(instruction, state)
            async for message in self._commit(
                state, f"/bin/sh -c #(nop)  {value}", 0, request, container=True
            ):
                yield message

    async def _from(
        self,
        instruction: Instruction,
        state: StageState,
        meta_args: dict[str, str],
        built: dict[str, SimImage | None],
    ) -> AsyncIterator[Message]:
        base = expand(instruction.args.split()[0] if instruction.args else "", meta_args)
        if base == "scratch":
            yield _stream(" ---> \n")
            return
        if base.lower() in built:
            state.image = built[base.lower()]
        else:
            state.image = self._images.get(base)
            if state.image is None:
                async for message in self._registries.pull(self._images, base):
                    yield message
                    if "error" in message:
                        return
                state.image = self._images.require(base)
        if state.image is not None:
            state.config = json.loads(json.dumps(state.image.config))
        yield _stream(f" ---> {short(state.image.id) if state.image else ''}\n")

    async def _copy(
        self,
        instruction: Instruction,
        state: StageState,
        request: BuildRequest,
        built: dict[str, SimImage | None],
    ) -> AsyncIterator[Message]:
        words = [expand(w, state.env()) for w in instruction.words()]
        sources, dest = words[:-1], words[-1] if words else "/"
        if "from" in instruction.flags:
            size = layer_size(f"copy --from {instruction.args}") + 1_000_000
            content = digest("from", instruction.flags["from"], *sources)
            kind = "multi"
        else:
            matched: dict[str, bytes] = {}
            for source in sources:
                if source.startswith(("http://", "https://")) and instruction.keyword == "ADD":
                    matched[source] = source.encode()
                    continue
                found = _match(request.files, source)
                if not found:
                    yield _error(
                        f"{instruction.keyword} failed: file not found in build context "
                        f"or excluded by .dockerignore: stat {source}: file does not exist"
                    )
                    return
                matched.update(found)
            size = sum(len(data) for data in matched.values())
            content = digest(*(f"{p}:{digest(d)}" for p, d in sorted(matched.items())))
            kind = "file" if len(matched) == 1 and len(sources) == 1 else "dir"
        created_by = f"/bin/sh -c #(nop) {instruction.keyword} {kind}:{content} in {dest} "
        async for message in self._commit(state, created_by, size, request, container=False):
            yield message

    async def _run(
        self, instruction: Instruction, state: StageState, request: BuildRequest
    ) -> AsyncIterator[Message]:
        if instruction.json_args is not None:
            argv = list(instruction.json_args)
            shown = " ".join(argv)
            script = argv[2] if argv[:2] in (["/bin/sh", "-c"], ["sh", "-c"]) and argv[2:] else ""
            if not script and argv and argv[0].rsplit("/", 1)[-1] == "false":
                script = "false"
        else:
            script = instruction.args
            shown = f"/bin/sh -c {script}"
        build_args = " ".join(f"{k}={v}" for k, v in state.args.items())
        created_by = f"|{len(state.args)} {build_args} {shown}" if state.args else shown
        cached = self._cached(state, created_by, request)
        if cached is not None:
            yield _stream(" ---> Using cache\n")
            yield _stream(f" ---> {short(cached.id)}\n")
            state.image = cached
            return
        container = self._container_id()
        yield _stream(f" ---> Running in {container}\n")
        result = simulate(script, state.env())
        await asyncio.sleep((0.1 + result.seconds) * self._pace)
        for line in result.lines:
            yield _stream(line + "\n")
            await asyncio.sleep(0.005 * self._pace)
        if result.status:
            yield _error(
                f"The command '{shown}' returned a non-zero code: {result.status}",
                code=result.status,
            )
            return
        yield _stream(f"Removing intermediate container {container}\n")
        image = self._new_image(state, created_by, layer_size(script))
        yield _stream(f" ---> {short(image.id)}\n")

    # ----------------------------------------------------------------- commits

    async def _commit(
        self,
        state: StageState,
        created_by: str,
        size: int,
        request: BuildRequest,
        *,
        container: bool,
    ) -> AsyncIterator[Message]:
        cached = self._cached(state, created_by, request)
        if cached is not None:
            yield _stream(" ---> Using cache\n")
            state.image = cached
        elif container:
            cid = self._container_id()
            yield _stream(f" ---> Running in {cid}\n")
            await asyncio.sleep(0.03 * self._pace)
            yield _stream(f"Removing intermediate container {cid}\n")
            self._new_image(state, created_by, size)
        else:
            await asyncio.sleep(0.01 * self._pace + size / 2e9)
            self._new_image(state, created_by, size)
        assert state.image is not None
        yield _stream(f" ---> {short(state.image.id)}\n")

    def _cached(self, state: StageState, created_by: str, request: BuildRequest) -> SimImage | None:
        if request.no_cache:
            return None
        key = (state.image.id if state.image else "", created_by + json.dumps(state.config))
        image_id = self._cache.get(key)
        return self._images.get(image_id) if image_id else None

    def _new_image(self, state: StageState, created_by: str, size: int) -> SimImage:
        parent = state.image
        now = self._clock()
        key = (parent.id if parent else "", created_by + json.dumps(state.config))
        image_id = "sha256:" + digest("build", self._seed, *key, now)
        entry = HistoryEntry(created=now, created_by=created_by, size=size)
        image = self._images.add(
            SimImage(
                id=image_id,
                parent=parent.id if parent else "",
                created=now,
                history=(*(parent.history if parent else ()), entry),
                history_ids=(*(parent.history_ids if parent else ()), image_id),
                config=json.loads(json.dumps(state.config)),
            )
        )
        self._cache[key] = image.id
        state.image = image
        return image

    def _container_id(self) -> str:
        self._containers += 1
        return short(digest("build-container", self._seed, self._containers, self._clock()))


def _match(files: dict[str, bytes], source: str) -> dict[str, bytes]:
    """The context files a COPY source names: a file, a directory, a glob or ``.``."""
    wanted = source.removeprefix("./").strip("/")
    if wanted in ("", "."):
        return dict(files)
    return {
        path: data
        for path, data in files.items()
        if path == wanted or path.startswith(wanted + "/") or fnmatch.fnmatchcase(path, wanted)
    }
