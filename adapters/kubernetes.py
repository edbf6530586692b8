"""``ClusterAdapter`` over the official ``kubernetes`` client.

Reads go straight to the API's JSON (no client-side model deserialisation) and are
parsed into the console's slim models by ``adapters.kube_parse``. Lists are read
in pages; watches and followed logs stream in threads of their own
(``adapters.kube_stream``). Mutations (``adapters.kube_writes``) send exactly
what kubectl sends and return the object before and after.

Blocking calls run in worker threads; nothing here blocks the event loop. The SDK
is imported by ``connect()``, in a thread, never when this module is imported.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from adapters.base import (
    Forbidden,
    InvalidRequest,
    Kind,
    ListResult,
    LogOptions,
    NotFound,
    Unavailable,
    WatchEvent,
)
from adapters.kube_errors import Operation, error_from_exception, error_from_status
from adapters.kube_parse import PARSERS, Raw, parse_hpa
from adapters.kube_paths import collection_path, object_path, without_managed_fields
from adapters.kube_stream import StreamRegistry
from adapters.kube_transport import (
    IN_CLUSTER_CONTEXT,
    KubeTransport,
    QueryValue,
    import_sdk,
    kubeconfig_contexts,
)
from adapters.kube_writes import KubeWrites

if TYPE_CHECKING:
    from console.models import Hpa

Params = list[tuple[str, QueryValue]]

#: Log lines read when ``LogOptions.tail_lines`` is None: bounded, never everything.
DEFAULT_LOG_TAIL = 1000
#: How long past its ``timeoutSeconds`` a silent watch is given before it counts as dead.
WATCH_GRACE = 30.0


class KubernetesAdapter(KubeWrites):
    """One kubeconfig context (or the in-cluster service account) of one cluster.

    Reads are defined here; the mutations come from ``KubeWrites``."""

    def __init__(
        self,
        kubeconfig: str | None = None,
        context: str | None = None,
        namespace: str | None = None,
        request_timeout: float = 10.0,
    ) -> None:
        self.context = context or ""
        self.default_namespace = namespace or ""
        #: The API server URL (no credentials), known after ``connect()``.
        self.server = ""
        self.request_timeout = request_timeout
        self._kubeconfig = kubeconfig
        self._namespace = namespace
        self._in_cluster = False
        self._transport: KubeTransport | None = None
        self._streams = StreamRegistry()

    @classmethod
    def in_cluster(
        cls, namespace: str | None = None, request_timeout: float = 10.0
    ) -> KubernetesAdapter:
        """An adapter using the pod's service account (``connect()`` loads it)."""
        adapter = cls(namespace=namespace, request_timeout=request_timeout)
        adapter._in_cluster = True
        adapter.context = IN_CLUSTER_CONTEXT
        return adapter

    # ------------------------------------------------------------ lifecycle

    async def connect(self) -> None:
        """Load the credentials (importing the SDK, in a thread) and check that
        ``/version`` answers. Raises ``Unavailable`` naming the kubeconfig or the
        server, ``Forbidden`` or ``Timeout``."""
        if self._transport is None:
            self._transport = await asyncio.to_thread(self._load)
            self.context = self._transport.context
            self.default_namespace = self._transport.default_namespace
            self.server = self._transport.server
        await self._json("GET", "/version", Operation("get", "version"))

    async def preload(self) -> None:
        """Import the SDK in a worker thread ahead of ``connect()``, for a caller that
        waits for the server to come up anyway (the sandbox starting): the wait and
        the import then overlap. ``connect()`` works the same with or without it."""
        await asyncio.to_thread(import_sdk)

    def _load(self) -> KubeTransport:
        if self._in_cluster:
            return KubeTransport.from_service_account(self._namespace)
        return KubeTransport.from_kubeconfig(
            self._kubeconfig, self.context or None, self._namespace
        )

    async def close(self) -> None:
        """Stop every watch and log stream, then close the pooled connections."""
        await self._streams.stop_all()
        if self._transport is not None:
            await asyncio.to_thread(self._transport.close)

    async def contexts(self) -> list[str]:
        """The kubeconfig's context names, sorted ("in-cluster" alone in a pod)."""
        if self._in_cluster:
            return [IN_CLUSTER_CONTEXT]
        contexts, _ = await asyncio.to_thread(kubeconfig_contexts, self._kubeconfig)
        return sorted(c.get("name", "") for c in contexts)

    @property
    def transport(self) -> KubeTransport:
        """The connected transport. Raises ``Unavailable`` before ``connect()``."""
        if self._transport is None:
            raise Unavailable("call connect() first", title="Not connected")
        return self._transport

    async def _json(self, method: str, path: str, op: Operation, **kwargs: Any) -> Any:
        transport = self.transport
        kwargs.setdefault("timeout", self.request_timeout)
        return await asyncio.to_thread(transport.fetch_json, method, path, op, **kwargs)

    # ------------------------------------------------------------ reading

    async def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> ListResult:
        """Every object of ``kind``, read ``page_size`` at a time and parsed in a
        worker thread. Raises ``Gone`` when a continuation expired mid-list."""
        query: Params = [("limit", page_size)]
        if label_selector:
            query.append(("labelSelector", label_selector))
        if field_selector:
            query.append(("fieldSelector", field_selector))
        op = Operation("list", kind.value, namespace)
        return await asyncio.to_thread(
            self._list_pages, collection_path(kind, namespace), op, query, PARSERS[kind]
        )

    def _list_pages(
        self,
        path: str,
        op: Operation,
        query: Params,
        parse: Callable[[Raw], Any],
    ) -> ListResult:
        """Every page of a list, parsed. The next page is fetched (by a helper
        thread) while this one is parsed, so the server's work and ours overlap."""
        items: list[Any] = []
        with ThreadPoolExecutor(1, thread_name_prefix="kube-list") as prefetch:
            page = self._page(path, op, query, "")
            while True:
                meta = page.get("metadata") or {}
                token = meta.get("continue") or ""
                upcoming = prefetch.submit(self._page, path, op, query, token) if token else None
                items.extend(parse(obj) for obj in page.get("items") or ())
                if upcoming is None:
                    return ListResult(items, meta.get("resourceVersion", ""))
                page = upcoming.result()

    def _page(self, path: str, op: Operation, query: Params, token: str) -> Raw:
        """One page of a list (the first when ``token`` is empty), decoded."""
        page_query = [*query, ("continue", token)] if token else query
        page: Raw = self.transport.fetch_json(
            "GET", path, op, query=page_query, timeout=self.request_timeout
        )
        return page

    def watch(
        self,
        kind: Kind,
        resource_version: str,
        namespace: str | None = None,
        *,
        timeout_seconds: int = 300,
    ) -> AsyncIterator[WatchEvent]:
        """Changes after ``resource_version``, with bookmarks, parsed in the stream's
        thread. Raises ``Gone`` when the version expired (an HTTP 410 or an ERROR
        event with code 410) and the mapped error for any other ERROR event."""
        transport = self.transport
        op = Operation("watch", kind.value, namespace)
        query: Params = [
            ("watch", "true"),
            ("resourceVersion", resource_version),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", timeout_seconds),
        ]
        parse = PARSERS[kind]
        path = collection_path(kind, namespace)

        def open_response() -> Any:
            timeout = (self.request_timeout, timeout_seconds + WATCH_GRACE)
            return transport.open("GET", path, op, query=query, timeout=timeout)

        def convert(line: bytes) -> WatchEvent | None:
            if not line.strip():
                return None
            event = json.loads(line)
            type_, obj = event.get("type"), event.get("object") or {}
            if type_ == "ERROR":
                raise error_from_status(
                    int(obj.get("code") or 500), json.dumps(obj), op, self.server
                )
            rv = (obj.get("metadata") or {}).get("resourceVersion", "")
            if type_ == "BOOKMARK":
                return WatchEvent("BOOKMARK", None, rv)
            if type_ in ("ADDED", "MODIFIED", "DELETED"):
                return WatchEvent(type_, parse(obj), rv)
            return None

        return self._streams.stream(
            open_response, convert, self._wrapper(op), name=f"watch-{kind.value}"
        )

    async def get_manifest(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any]:
        """The object as the API returns it, without ``managedFields``. Raises ``NotFound``."""
        op = Operation("get", kind.value, namespace, name)
        obj = await self._json("GET", object_path(kind, namespace, name), op)
        return without_managed_fields(obj)

    async def autoscalers(self, namespace: str) -> Sequence[Hpa]:
        """The namespace's HorizontalPodAutoscalers (autoscaling/v2), one page of
        up to 500 (a namespace has a handful). Empty when the cluster does not serve
        autoscaling/v2 (404) or the credentials may not list HPAs (403)."""
        op = Operation("list", Kind.HPA.value, namespace)
        try:
            body = await self._json(
                "GET", collection_path(Kind.HPA, namespace), op, query=[("limit", 500)]
            )
        except (NotFound, Forbidden):
            return []
        return [parse_hpa(obj) for obj in body.get("items") or ()]

    def logs(self, namespace: str, pod: str, options: LogOptions) -> AsyncIterator[str]:
        """The container's log lines, streamed (and followed if asked), at most
        ``tail_lines`` (``DEFAULT_LOG_TAIL`` when None) from the end. Raises
        ``NotFound`` for an unknown pod or container, ``InvalidRequest`` for
        ``previous`` of a container that never restarted."""
        transport = self.transport
        op = Operation("get", "pods/log", namespace, pod)
        query: Params = [
            (
                "tailLines",
                options.tail_lines if options.tail_lines is not None else DEFAULT_LOG_TAIL,
            )
        ]
        if options.container:
            query.append(("container", options.container))
        for flag, value in (
            ("follow", options.follow),
            ("previous", options.previous),
            ("timestamps", options.timestamps),
        ):
            if value:
                query.append((flag, "true"))
        if options.since_seconds is not None:
            query.append(("sinceSeconds", options.since_seconds))
        query.extend(options.extra.items())
        path = f"{object_path(Kind.POD, namespace, pod)}/log"
        read_timeout = None if options.follow else self.request_timeout

        def open_response() -> Any:
            return transport.open(
                "GET",
                path,
                op,
                query=query,
                accept="*/*",
                timeout=(self.request_timeout, read_timeout),
            )

        def convert(line: bytes) -> str:
            return line.decode("utf-8", "replace").removesuffix("\r")

        return self._streams.stream(
            open_response, convert, self._log_wrapper(op), name=f"logs-{pod}"
        )

    def _wrapper(self, op: Operation) -> Callable[[BaseException], BaseException]:
        return lambda exc: error_from_exception(exc, op, self.server)

    def _log_wrapper(self, op: Operation) -> Callable[[BaseException], BaseException]:
        """Like ``_wrapper``, but the API's 400 for an unknown container ("container
        x is not valid for pod y") becomes the ``NotFound`` it is."""

        def wrap(exc: BaseException) -> BaseException:
            error = error_from_exception(exc, op, self.server)
            if isinstance(error, InvalidRequest) and "is not valid for pod" in error.detail:
                return NotFound(error.detail, status=error.status)
            return error

        return wrap
