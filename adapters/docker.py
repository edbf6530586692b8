"""The Docker adapter: the ``ContainerAdapter`` Protocol over the ``docker`` SDK.

Every call goes through the SDK's low-level ``docker.APIClient`` in a worker
thread. Streams (build, push, logs, stats) each get a connection of their own,
read in a thread that feeds an async iterator (``adapters.docker_streams``);
stopping the iteration shuts that connection down and ends the thread. Log
streams are bounded by ``tail`` (and ``since``); nothing reads ``tail='all'``.

The endpoint is the one given, else ``DOCKER_HOST`` (with ``DOCKER_TLS_VERIFY``
and ``DOCKER_CERT_PATH``), else the local socket. ``ssh://`` endpoints go through
paramiko (the SDK's ``ssh`` extra), which reads ``~/.ssh/config`` and the agent
and never writes to the terminal. The SDK is imported on
``connect``; its errors are translated once, here, by ``adapters.docker_errors``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import quote

from adapters.base import InvalidRequest, Timeout, Unavailable
from adapters.docker_errors import safe_endpoint, translate
from adapters.docker_events import (
    BuildStreamParser,
    PushStreamParser,
    epoch_to_datetime,
    stats_from_sample,
)
from adapters.docker_reference import split_reference
from adapters.docker_streams import LogDemuxer, iterate_in_thread
from console.models import BuildEvent, Container, ContainerStats, Image, ImageLayer, PushEvent

if TYPE_CHECKING:
    import docker
    import requests

T = TypeVar("T")

DEFAULT_ENDPOINT = "unix:///var/run/docker.sock"


class DockerAdapter:
    """A Docker Engine reached at ``endpoint`` (see the module docstring)."""

    #: The adapter can build and push images and stream logs and stats.
    supports_build = True
    supports_push = True

    def __init__(self, endpoint: str | None = None, *, timeout: float = 10.0) -> None:
        self._from_env = endpoint is None
        self.endpoint = endpoint or os.environ.get("DOCKER_HOST") or DEFAULT_ENDPOINT
        self.timeout = timeout
        self._client_kwargs: dict[str, Any] = {}
        self._api: docker.APIClient | None = None

    # ------------------------------------------------------------------ lifecycle

    async def connect(self) -> None:
        """Import the SDK, negotiate the API version and ping the daemon.

        Raises ``Unavailable`` naming the endpoint (without credentials) and the
        reason when the daemon does not answer, ``Timeout`` when it is too slow.
        """
        self._api = await asyncio.to_thread(self._open)

    async def close(self) -> None:
        """Close the shared connection pool; running streams close with their iterators."""
        if self._api is not None:
            api, self._api = self._api, None
            await asyncio.to_thread(api.close)

    def _open(self) -> docker.APIClient:
        import docker

        kwargs: dict[str, Any] = {} if not self._from_env else docker.utils.kwargs_from_env()
        kwargs["base_url"] = self.endpoint
        kwargs["timeout"] = self.timeout
        try:
            api = docker.APIClient(version="auto", **kwargs)
            api.ping()
        except Exception as exc:
            error = translate(exc, self.endpoint)
            if error is None:
                raise
            if not isinstance(error, (Unavailable, Timeout)):
                where = safe_endpoint(self.endpoint)
                error = Unavailable(
                    f"{where} did not answer as a Docker daemon: {error.detail}",
                    title="Docker unreachable",
                )
            raise error from exc
        self._client_kwargs = {**kwargs, "version": api.api_version}
        return api

    # -------------------------------------------------------------------- images

    async def images(self) -> list[Image]:
        """Every tagged or top-level image (``docker images``), newest first."""
        rows = await self._call(lambda api: api.images())
        images = [
            Image(
                id=row["Id"],
                tags=tuple(t for t in row.get("RepoTags") or () if t != "<none>:<none>"),
                digests=tuple(d for d in row.get("RepoDigests") or () if d != "<none>@<none>"),
                size=int(row.get("Size") or 0),
                created=epoch_to_datetime(row.get("Created")),
            )
            for row in rows
        ]
        return sorted(images, key=lambda i: i.created.timestamp() if i.created else 0, reverse=True)

    async def image_history(self, image: str) -> list[ImageLayer]:
        """The layers of ``image``, newest first. Raises ``NotFound``."""
        rows = await self._call(lambda api: api.history(image))
        return [
            ImageLayer(
                id=row.get("Id") or "<missing>",
                created=epoch_to_datetime(row.get("Created")),
                created_by=row.get("CreatedBy") or "",
                size=int(row.get("Size") or 0),
                comment=row.get("Comment") or "",
            )
            for row in rows
        ]

    async def remove_image(self, image: str, *, force: bool = False) -> None:
        """Untag ``image`` (a reference) or delete it (an id, or its last tag).

        Raises ``NotFound``, ``Conflict`` when a container uses it or it has
        children, or when an id is tagged in several repositories without ``force``.
        """
        await self._call(lambda api: api.remove_image(image, force=force))

    async def tag_image(self, image: str, reference: str) -> None:
        """Tag ``image`` (a reference or id) as ``reference`` (``repo[:tag]``, tag
        ``latest`` when omitted). Raises ``InvalidRequest`` for a malformed
        reference and ``NotFound`` for an unknown image."""
        repository, tag = split_reference(reference)
        await self._call(lambda api: api.tag(image, repository, tag or "latest"))

    # ---------------------------------------------------------------- containers

    async def containers(self, all: bool = True) -> list[Container]:
        """Containers, running and (with ``all``) stopped, newest first."""
        rows = await self._call(lambda api: api.containers(all=all))
        return [
            Container(
                id=row["Id"],
                name=(row.get("Names") or ["/" + row["Id"][:12]])[0].lstrip("/"),
                image=row.get("Image") or "",
                state=row.get("State") or "",
                status=row.get("Status") or "",
                created=epoch_to_datetime(row.get("Created")),
            )
            for row in rows
        ]

    async def container_action(
        self, container: str, action: Literal["start", "stop", "restart"]
    ) -> None:
        """Start, stop or restart ``container``; starting a running one (or stopping
        a stopped one) does nothing. Raises ``NotFound``, ``Conflict``."""
        if action not in ("start", "stop", "restart"):
            raise InvalidRequest(f"unknown container action {action!r}")
        await self._call(lambda api: getattr(api, action)(container))

    def container_logs(
        self, container: str, *, tail: int = 500, follow: bool = False, since: float | None = None
    ) -> AsyncIterator[tuple[str, str]]:
        """``(stream, line)`` pairs, ``stream`` being "stdout" or "stderr", from the
        last ``tail`` lines (and only those after ``since``, unix seconds), then new
        lines while ``follow``. Raises ``NotFound`` for an unknown container and
        ``InvalidRequest`` for a negative ``tail``."""
        if tail < 0:
            raise InvalidRequest(f"tail must be 0 or more, not {tail}")
        params: dict[str, Any] = {"stdout": 1, "stderr": 1, "tail": tail, "follow": int(follow)}
        if since is not None:
            params["since"] = f"{since:.9f}"

        def lines(api: docker.APIClient, responses: list[requests.Response]) -> Iterator[Any]:
            tty = bool(api.inspect_container(container)["Config"].get("Tty"))
            response = api.get(
                self._url(api, f"/containers/{quote(container, safe='')}/logs"),
                params=params,
                stream=True,
                timeout=(self.timeout, None if follow else self.timeout),
            )
            responses.append(response)
            _raise_for_status(response)
            demux = LogDemuxer(tty=tty)
            for chunk in response.iter_content(chunk_size=None):
                yield from demux.feed(chunk)
            yield from demux.flush()

        return self._stream(lines, name="docker-logs")

    def container_stats(self, container: str) -> AsyncIterator[ContainerStats]:
        """A sample about once a second (the daemon's pace) until the caller stops
        iterating. Raises ``NotFound`` for an unknown container."""

        def samples(api: docker.APIClient, _: list[requests.Response]) -> Iterator[Any]:
            for sample in api.stats(container, stream=True, decode=True):
                yield stats_from_sample(sample)

        return self._stream(samples, name="docker-stats")

    # ------------------------------------------------------------ build and push

    def build(
        self,
        context_dir: str,
        *,
        dockerfile: str = "Dockerfile",
        tags: Sequence[str] = (),
        build_args: Mapping[str, str] | None = None,
        target: str | None = None,
        no_cache: bool = False,
    ) -> AsyncIterator[BuildEvent]:
        """Send ``context_dir`` (honouring ``.dockerignore``) to the daemon's
        builder and stream one event per message it sends (see
        ``BuildStreamParser``). The first tag is given to the build, the others
        are added once it succeeds. The last event has ``done`` and either
        ``image_id`` or ``error``; a refusal by the daemon (bad Dockerfile path,
        malformed tag) also ends as an error event. Raises ``Unavailable``."""
        for tag in tags:
            split_reference(tag)

        def events(api: docker.APIClient, _: list[requests.Response]) -> Iterator[Any]:
            parser = BuildStreamParser()
            stream = api.build(
                path=context_dir,
                dockerfile=dockerfile,
                tag=tags[0] if tags else None,
                buildargs=dict(build_args or {}),
                target=target,
                nocache=no_cache,
                rm=True,
                decode=True,
            )
            for message in stream:
                yield from parser.feed(message)
            if parser.image_id and not parser.finished:
                for extra in tags[1:]:
                    repository, tag = split_reference(extra)
                    api.tag(parser.image_id, repository, tag or "latest")
            last = parser.finish()
            if last is not None:
                yield last

        return self._stream(
            events, name="docker-build", final=lambda detail: BuildEvent(error=detail, done=True)
        )

    def push(self, reference: str) -> AsyncIterator[PushEvent]:
        """Push ``reference`` (every tag of the repository when it has none) with
        per-layer progress, using the credentials of the docker config file. An
        auth or registry failure arrives as a final event with ``error`` set
        (DNS, connection refused, denied); so does a reference that names no local
        image. Raises ``InvalidRequest`` for a malformed reference, ``Unavailable``."""
        repository, tag = split_reference(reference)

        def events(api: docker.APIClient, _: list[requests.Response]) -> Iterator[Any]:
            parser = PushStreamParser()
            for message in api.push(repository, tag=tag, stream=True, decode=True):
                event = parser.feed(message)
                if event is not None:
                    yield event
            last = parser.finish()
            if last is not None:
                yield last

        return self._stream(
            events, name="docker-push", final=lambda detail: PushEvent(error=detail, done=True)
        )

    # ------------------------------------------------------------------ plumbing

    def _require_api(self) -> docker.APIClient:
        if self._api is None:
            raise Unavailable(
                f"not connected to {safe_endpoint(self.endpoint)}", title="Docker not connected"
            )
        return self._api

    async def _call(self, fn: Callable[[docker.APIClient], T]) -> T:
        """``fn(api)`` in a worker thread, SDK errors translated."""
        api = self._require_api()

        def guarded() -> T:
            try:
                return fn(api)
            except Exception as exc:
                error = translate(exc, self.endpoint)
                if error is None:
                    raise
                raise error from exc

        return await asyncio.to_thread(guarded)

    def _stream(
        self,
        produce: Callable[[docker.APIClient, list[requests.Response]], Iterator[Any]],
        *,
        name: str,
        final: Callable[[str], Any] | None = None,
    ) -> AsyncIterator[Any]:
        """Run ``produce`` on a dedicated client in a thread, as an async iterator.

        Responses the client receives are recorded so that stopping the iteration
        shuts their sockets down. With ``final``, an error the daemon answered
        with (an HTTP error status, not a transport failure) becomes a last event
        ``final(detail)`` instead of an exception.
        """
        import docker

        self._require_api()
        client = docker.APIClient(**self._client_kwargs)
        responses: list[requests.Response] = []
        client.hooks["response"].append(lambda r, *_, **__: responses.append(r))

        def source() -> Iterator[Any]:
            try:
                yield from produce(client, responses)
            except Exception as exc:
                error = translate(exc, self.endpoint)
                if error is None:
                    raise
                if final is None or not _answered_by_daemon(exc):
                    raise error from exc
                yield final(error.detail)

        def close() -> None:
            for response in responses:
                _shutdown(response)
            client.close()

        return iterate_in_thread(source, close=close, name=name)

    @staticmethod
    def _url(api: docker.APIClient, path: str) -> str:
        return f"{api.base_url}/v{api.api_version}{path}"


def _answered_by_daemon(exc: BaseException) -> bool:
    """Whether ``exc`` is an HTTP error status the daemon sent (the SDK's ``APIError``)."""
    import docker.errors

    return isinstance(exc, docker.errors.APIError)


def _raise_for_status(response: requests.Response) -> None:
    """Raise the SDK's ``APIError`` for an HTTP error response, as the SDK does."""
    import docker.errors
    import requests

    try:
        response.raise_for_status()
    except requests.exceptions.HTTPError as exc:
        raise docker.errors.create_api_error_from_http_exception(exc) from exc


def _shutdown(response: requests.Response) -> None:
    """Shut the response's socket down so a thread blocked reading it wakes up."""
    from docker.types.daemon import CancellableStream

    try:
        CancellableStream(iter(()), response).close()
    except Exception:  # an ssh channel cannot be shut down; closing it is enough
        response.close()
