"""The contract between the console and its backends.

Each backend (Kubernetes, Prometheus, Docker) is reached through one async Protocol
declared here. Adapters return the console's frozen domain models
(``console.models``), never SDK objects, and raise only the errors declared here,
each with a short ``title`` the screen shows in bold and a ``detail`` it shows
under it. The SDK's own exception is chained as ``__cause__``.

Nothing in this module (or in any adapter) imports Textual.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from console.models import (
        Alert,
        AlertRule,
        BuildEvent,
        Container,
        ContainerStats,
        Hpa,
        Image,
        ImageLayer,
        KubeObject,
        PushEvent,
        QueryResult,
    )


# --------------------------------------------------------------------------- errors


class AdapterError(Exception):
    """Base of every error an adapter raises.

    ``title`` is a few words ("Kubernetes API unreachable"); ``detail`` is the
    backend's own explanation, safe to show (credentials are never included).
    ``status`` carries the HTTP status where there was one.
    """

    default_title = "Backend error"

    def __init__(self, detail: str = "", *, title: str | None = None, status: int | None = None):
        self.title = title or self.default_title
        self.detail = detail
        self.status = status
        super().__init__(f"{self.title}: {detail}" if detail else self.title)


class Unavailable(AdapterError):
    """The backend cannot be reached (connection refused, DNS, TLS, 5xx)."""

    default_title = "Backend unavailable"


class Forbidden(AdapterError):
    """The credentials are valid but not allowed to do this (401/403)."""

    default_title = "Not allowed"


class NotFound(AdapterError):
    """The object does not exist (404)."""

    default_title = "Not found"


class Conflict(AdapterError):
    """Someone else changed the object, or it already exists (409)."""

    default_title = "Conflict"


class Gone(Conflict):
    """A watch or list continuation asked for a resourceVersion that expired (410).

    The caller relists and watches again from the new version.
    """

    default_title = "Resource version expired"


class InvalidRequest(AdapterError):
    """The backend refused the request as malformed (400/422, PromQL bad_data)."""

    default_title = "Invalid request"


class Timeout(AdapterError):
    """The backend did not answer within the configured time."""

    default_title = "Timed out"


# ------------------------------------------------------------------- kubernetes


class Kind(StrEnum):
    """The Kubernetes kinds the console reads. Values are the API plural names."""

    NAMESPACE = "namespaces"
    NODE = "nodes"
    POD = "pods"
    DEPLOYMENT = "deployments"
    REPLICASET = "replicasets"
    SERVICE = "services"
    EVENT = "events"
    HPA = "horizontalpodautoscalers"

    @property
    def namespaced(self) -> bool:
        return self not in (Kind.NAMESPACE, Kind.NODE)

    @property
    def api_group_version(self) -> str:
        """``v1`` for the core group, else ``<group>/<version>`` (the version read)."""
        if self in (Kind.DEPLOYMENT, Kind.REPLICASET):
            return "apps/v1"
        if self is Kind.HPA:
            return "autoscaling/v2"
        return "v1"

    @property
    def kind_name(self) -> str:
        return {
            Kind.NAMESPACE: "Namespace",
            Kind.NODE: "Node",
            Kind.POD: "Pod",
            Kind.DEPLOYMENT: "Deployment",
            Kind.REPLICASET: "ReplicaSet",
            Kind.SERVICE: "Service",
            Kind.EVENT: "Event",
            Kind.HPA: "HorizontalPodAutoscaler",
        }[self]


@dataclass(frozen=True, slots=True)
class ListResult:
    """A complete list of one kind: the parsed items and the list's resourceVersion,
    from which a watch continues."""

    items: Sequence[KubeObject]
    resource_version: str


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One event of a watch stream.

    ``type`` is ADDED, MODIFIED or DELETED with ``obj`` set, or BOOKMARK with
    ``obj`` None and only ``resource_version`` meaningful.
    """

    type: Literal["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]
    obj: KubeObject | None
    resource_version: str


@dataclass(frozen=True, slots=True)
class MutationResult:
    """What a mutation did (or, for a dry run, would do).

    ``before`` and ``after`` are the object's manifests (dicts, without
    ``managedFields``) so the console can show a diff; ``dry_run`` says whether
    the server persisted nothing.
    """

    dry_run: bool
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    message: str = ""


@dataclass(frozen=True, slots=True)
class LogOptions:
    """Which log lines to read. ``tail_lines`` None means the backend's default
    bound (never unbounded); ``since_seconds`` None means no time bound."""

    container: str | None = None
    follow: bool = False
    previous: bool = False
    tail_lines: int | None = 500
    since_seconds: int | None = None
    timestamps: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class ClusterAdapter(Protocol):
    """A Kubernetes cluster, reached through one kubeconfig context.

    Every method may raise ``Unavailable``, ``Timeout`` or ``Forbidden`` in
    addition to what its docstring says.
    """

    #: The context name shown in the header ("sandbox" for the embedded one).
    context: str
    #: The namespace a context defaults to ("" for all namespaces).
    default_namespace: str

    async def connect(self) -> None:
        """Load credentials and check the API answers (``/version``).

        Raises ``Unavailable`` with the server address (never a token) when it does
        not. Heavy SDK imports happen here, not at import time.
        """

    async def close(self) -> None:
        """Release connections and stop every watch this adapter started."""

    async def contexts(self) -> list[str]:
        """The kubeconfig's context names (one, "sandbox", for the sandbox)."""

    async def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> ListResult:
        """Every object of ``kind`` (across namespaces when ``namespace`` is None),
        read in pages of ``page_size`` as raw JSON and parsed into slim models.

        Raises ``Gone`` if a continuation expired mid-list (the caller retries).
        """

    def watch(
        self,
        kind: Kind,
        resource_version: str,
        namespace: str | None = None,
        *,
        timeout_seconds: int = 300,
    ) -> AsyncIterator[WatchEvent]:
        """Changes to ``kind`` after ``resource_version``, with bookmarks.

        The iterator ends when the server closes the stream (the caller watches
        again from the last version seen). Raises ``Gone`` when the version has
        expired (the caller relists).
        """

    async def get_manifest(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any]:
        """The object as the API returns it, without ``metadata.managedFields``.

        Raises ``NotFound``.
        """

    async def autoscalers(self, namespace: str) -> Sequence[Hpa]:
        """The HorizontalPodAutoscalers (autoscaling/v2) of ``namespace``, for
        warnings such as "an HPA owns this replica count".

        Returns nothing, rather than raising, when the cluster does not serve
        autoscaling/v2 (404) or the credentials may not list HPAs there (403): a
        cluster without them has none that could fight a manual scale. Other
        failures (``Unavailable``, ``Timeout``) are raised as usual.
        """

    def logs(self, namespace: str, pod: str, options: LogOptions) -> AsyncIterator[str]:
        """The pod container's log lines (without the trailing newline), following
        if asked. Raises ``NotFound`` for an unknown pod or container and
        ``InvalidRequest`` when ``previous`` is asked of a container that never
        restarted."""

    async def scale(
        self, namespace: str, name: str, replicas: int, *, dry_run: bool = False
    ) -> MutationResult:
        """Set a Deployment's replicas through the ``scale`` subresource, as
        ``kubectl scale`` does. Raises ``NotFound``, ``Conflict``, ``InvalidRequest``."""

    async def rollback(
        self, namespace: str, name: str, to_revision: int = 0, *, dry_run: bool = False
    ) -> MutationResult:
        """Roll a Deployment back as ``kubectl rollout undo --to-revision`` does:
        JSON-patch the pod template (without ``pod-template-hash``) and the
        annotations taken from the ReplicaSet of that revision (0 = the previous
        one). Raises ``Conflict`` for a paused Deployment, ``NotFound`` for an
        unknown revision, ``InvalidRequest`` when it already runs that template."""

    async def restart(
        self, namespace: str, name: str, *, dry_run: bool = False
    ) -> MutationResult:
        """Restart a Deployment as ``kubectl rollout restart`` does, by setting the
        ``kubectl.kubernetes.io/restartedAt`` pod template annotation."""

    async def delete_pod(
        self, namespace: str, name: str, *, dry_run: bool = False
    ) -> MutationResult:
        """Delete one pod (its controller replaces it). Raises ``NotFound``."""

    async def cordon(
        self, node: str, unschedulable: bool, *, dry_run: bool = False
    ) -> MutationResult:
        """Mark a node unschedulable (cordon) or schedulable again (uncordon)."""


# ------------------------------------------------------------------- prometheus


@runtime_checkable
class MetricsAdapter(Protocol):
    """A Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics).

    Every method may raise ``Unavailable`` or ``Timeout``; a query the server
    refuses raises ``InvalidRequest`` whose title is Prometheus's ``errorType``
    and whose detail is its ``error``. Timeouts are never retried automatically.
    """

    url: str

    async def connect(self) -> None:
        """Check the API answers (``/api/v1/status/buildinfo`` or a trivial query)."""

    async def close(self) -> None:
        """Release connections."""

    async def query(self, promql: str, at: float | None = None) -> QueryResult:
        """An instant query at ``at`` (unix seconds; now when None)."""

    async def query_range(
        self, promql: str, start: float, end: float, *, max_points: int = 11_000
    ) -> QueryResult:
        """A range query whose step is chosen so no series passes ``max_points``
        points (and never 11,000)."""

    async def alerts(self) -> list[Alert]:
        """The firing and pending alerts (``/api/v1/alerts``)."""

    async def rules(self) -> list[AlertRule]:
        """The alerting rules (``/api/v1/rules``) with their expressions."""

    async def label_values(self, label: str) -> list[str]:
        """The values of one label (``/api/v1/label/<name>/values``)."""


# ----------------------------------------------------------------------- docker


@runtime_checkable
class ContainerAdapter(Protocol):
    """A Docker Engine API (local socket, tcp or ``ssh://``).

    Every method may raise ``Unavailable`` or ``Timeout``. Streams are bounded
    (``tail``, ``since`` and timeouts); nothing reads ``tail='all'`` by default.
    """

    endpoint: str

    async def connect(self) -> None:
        """Ping the daemon; raise ``Unavailable`` naming the endpoint if it does not answer."""

    async def close(self) -> None:
        """Release connections and stop every stream."""

    async def images(self) -> list[Image]:
        """Every image, with its tags, size and creation time."""

    async def image_history(self, image: str) -> list[ImageLayer]:
        """The layers of one image, newest first. Raises ``NotFound``."""

    async def remove_image(self, image: str, *, force: bool = False) -> None:
        """Remove an image. Raises ``NotFound``, ``Conflict`` (in use)."""

    async def tag_image(self, image: str, reference: str) -> None:
        """Tag ``image`` (a reference or id) as ``reference`` (``repo[:tag]``, tag
        ``latest`` when omitted), e.g. before a push. Raises ``NotFound`` and
        ``InvalidRequest`` for a malformed reference."""

    async def containers(self, all: bool = True) -> list[Container]:
        """Containers, running and (with ``all``) stopped."""

    def container_logs(
        self, container: str, *, tail: int = 500, follow: bool = False, since: float | None = None
    ) -> AsyncIterator[tuple[str, str]]:
        """(stream, line) pairs, stream being "stdout" or "stderr", demultiplexed."""

    def container_stats(self, container: str) -> AsyncIterator[ContainerStats]:
        """A sample about once a second until the caller stops iterating."""

    async def container_action(
        self, container: str, action: Literal["start", "stop", "restart"]
    ) -> None:
        """Start, stop or restart a container. Raises ``NotFound``, ``Conflict``."""

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
        """Build an image, streaming one event per line the daemon sends. The last
        event has ``done`` set and either ``image_id`` or ``error``."""

    def push(self, reference: str) -> AsyncIterator[PushEvent]:
        """Push an image, streaming per-layer progress. An auth or registry failure
        arrives as a final event with ``error`` set."""
