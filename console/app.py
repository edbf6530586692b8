"""The Textual app: its areas (modes), app-wide keys, backend connections and stores.

``build_app`` is the one factory the CLI and the tests call. The app paints its
first frame before any backend is touched: connections run in workers that report
health as messages, and each resource store starts only when a screen asks for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from importlib import import_module
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from adapters.base import AdapterError, ClusterAdapter, ContainerAdapter, Kind, MetricsAdapter
from console.alert_summary import FiringSummary
from console.config import Config
from console.health import CONNECTING, OFF, OK, BackendHealth, keep_connecting
from console.models import KubeObject
from console.state import ChangeSet, ClusterState, ResourceStore
from screens.context_picker import ContextPicker, SwitchingContext
from screens.help import HelpScreen, describe_bindings
from screens.messages import BackendHealthChanged
from screens.namespace_picker import NamespacePicker

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Area:
    """A top-level area of the console: a Textual mode with its own screen stack,
    reached with ``key`` (binding id ``name``). ``screen`` is ``"module:Class"``,
    imported when the area is first opened so that areas nobody visits (and their
    chart libraries) cost nothing at start."""

    name: str
    title: str
    key: str
    screen: str

    def make_screen(self) -> Screen[None]:
        """A new instance of the area's screen. Raises ``ImportError`` or
        ``AttributeError`` when ``screen`` names nothing."""
        module, _, name = self.screen.partition(":")
        screen: Screen[None] = getattr(import_module(module), name)()
        return screen


#: Seconds between two reads of the firing alerts for the header, at least.
FIRING_POLL_SECONDS = 5.0

#: The transient mode shown while the areas are rebuilt for another context.
_SWITCHING = "switching-context"

#: The console's areas, in the order of their number keys. A new area is one entry.
AREAS: tuple[Area, ...] = (
    Area("deployments", "Deployments", "1", "screens.deployments:DeploymentsScreen"),
    Area("metrics", "Metrics", "2", "screens.metrics:MetricsScreen"),
    Area("alerts", "Alerts", "3", "screens.alerts:AlertsScreen"),
    Area("nodes", "Nodes", "4", "screens.nodes:NodesScreen"),
    Area("builds", "Builds", "5", "screens.builds:BuildsScreen"),
)


@dataclass
class Backends:
    """The adapters the console runs on; None for a backend that is not configured."""

    cluster: ClusterAdapter | None
    metrics: MetricsAdapter | None = None
    containers: ContainerAdapter | None = None
    sandbox: bool = False
    #: Awaited once before any adapter connects (the sandbox child process coming up);
    #: an ``AdapterError`` it raises is reported like a failed connect.
    ready: Callable[[], Awaitable[None]] | None = None
    #: A cluster adapter for another context of the same kubeconfig (the context
    #: switcher); None when there is only one (the sandbox, in-cluster).
    cluster_for: Callable[[str], ClusterAdapter] | None = None


class OpsConsoleApp(App[None]):
    """The ops console: a header over the current area's screen and a footer."""

    TITLE = "opsconsole"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[None]]]] = {
        area.name: area.make_screen for area in AREAS
    }
    DEFAULT_MODE = AREAS[0].name

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Keys", id="help"),
        Binding("n", "namespace", "Namespace", id="namespace"),
        Binding("K", "context", "Context", id="context"),
        *(
            Binding(area.key, f"switch_mode({area.name!r})", area.title, id=area.name)
            for area in AREAS
        ),
    ]

    context: reactive[str] = reactive("")
    """The Kubernetes context's name."""
    namespace: reactive[str] = reactive("")
    """The namespace the screens show ("" for all namespaces)."""
    read_only: reactive[bool] = reactive(False)
    """Whether every mutation is refused (``--read-only`` or a read-only context)."""
    sandbox: reactive[bool] = reactive(False)
    """Whether the console runs on the embedded sandbox."""
    kubernetes_health: reactive[BackendHealth] = reactive(OFF)
    """The Kubernetes API's health, as connecting and the running stores see it."""
    prometheus_health: reactive[BackendHealth] = reactive(OFF)
    """The Prometheus-compatible API's health."""
    docker_health: reactive[BackendHealth] = reactive(OFF)
    """The Docker Engine's health."""
    firing: reactive[FiringSummary | None] = reactive(None)
    """The alerts firing now by severity (None until Prometheus answered, or when it
    stopped answering: the prometheus health says why)."""

    def __init__(
        self,
        config: Config,
        backends: Backends,
        *,
        read_only: bool = False,
        namespace: str = "",
        clock: Clock | None = None,
        tune_gc: bool = False,
    ) -> None:
        super().__init__()
        self._tune_gc = tune_gc
        self.config = config
        self.backends = backends
        self.clock: Clock = clock or partial(datetime.now, UTC)
        cluster = backends.cluster
        self.cluster: ClusterState | None = ClusterState(cluster) if cluster else None
        self._cluster_ready = asyncio.Event()
        self._started_kinds: set[Kind] = set()
        self._read_only_flag = read_only
        self.set_reactive(OpsConsoleApp.namespace, namespace)
        self.set_reactive(OpsConsoleApp.sandbox, backends.sandbox)
        self._show_context(cluster.context if cluster else (config.kubernetes.context or ""))
        if cluster:
            self.set_reactive(OpsConsoleApp.kubernetes_health, CONNECTING)
        self.set_keymap(config.keymap)
        if config.ui.theme in self.available_themes:
            self.theme = config.ui.theme

    # ------------------------------------------------------------------ backends

    def on_mount(self) -> None:
        self.call_after_refresh(self._connect_backends)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            # The SSH session went away: quit cleanly rather than read a dead terminal.
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.exit)
        if self._tune_gc:
            self.call_after_refresh(_calm_the_garbage_collector)

    def _connect_backends(self) -> None:
        """Start one connection worker per configured backend (after the first frame)."""
        b = self.backends
        named = (("kubernetes", b.cluster), ("prometheus", b.metrics), ("docker", b.containers))
        for backend, adapter in named:
            if adapter is not None:
                self.run_worker(
                    self._connect(backend, adapter.connect),
                    name=f"connect:{backend}",
                    group="connect",
                    exit_on_error=False,
                )

    async def _connect(self, backend: str, connect: Callable[[], Awaitable[None]]) -> None:
        """Connect with backoff, reporting each state as ``BackendHealthChanged``."""

        def report(health: BackendHealth) -> None:
            self.post_message(BackendHealthChanged(backend, health))

        ready = self.backends.ready
        if ready is not None:
            connect = _after(ready, connect)
        await keep_connecting(connect, report)
        if backend == "kubernetes" and self.backends.cluster is not None:
            self._show_context(self.backends.cluster.context)
            self._cluster_ready.set()
        if backend == "prometheus" and self.backends.metrics is not None:
            self.run_worker(self._count_firing(self.backends.metrics), name="firing",
                            group="firing", exclusive=True, exit_on_error=False)

    async def _count_firing(self, metrics: MetricsAdapter) -> None:
        """Keep ``firing`` current (an error blanks it until Prometheus answers
        again). Alerts change only when Prometheus evaluates its rules (every 15 s by
        default), so polling faster than ``FIRING_POLL_SECONDS`` buys nothing."""
        while True:
            try:
                self.firing = FiringSummary.of(await metrics.alerts())
            except AdapterError:
                self.firing = None
            await asyncio.sleep(max(self.config.ui.refresh_seconds, FIRING_POLL_SECONDS))

    def _show_context(self, context: str) -> None:
        """Name ``context`` in the header (the adapter learns it from the kubeconfig on
        connect) and refuse mutations if it is one of the read-only contexts."""
        self.context = context
        read_only_contexts = self.config.kubernetes.read_only_contexts
        self.read_only = self._read_only_flag or context in read_only_contexts

    def on_backend_health_changed(self, message: BackendHealthChanged) -> None:
        setattr(self, f"{message.backend}_health", message.health)

    def cluster_store(self, kind: Kind) -> ResourceStore[KubeObject] | None:
        """The live store of ``kind``, started on first use once the cluster answers;
        None when no cluster is configured."""
        if self.cluster is None:
            return None
        store = self.cluster.store(kind)
        if kind not in self._started_kinds:
            self._started_kinds.add(kind)
            store.subscribe(self._on_store_status)
            self.run_worker(
                self._run_store(store), name=f"store:{kind}", group="stores", exit_on_error=False
            )
        return store

    async def _run_store(self, store: ResourceStore[KubeObject]) -> None:
        await self._cluster_ready.wait()
        await store.run()

    def _on_store_status(
        self, store: ResourceStore[KubeObject], changes: ChangeSet[KubeObject]
    ) -> None:
        """Once connected, Kubernetes health is the worst of the running stores'."""
        if not self._cluster_ready.is_set() or self.cluster is None:
            return
        errors = [
            s.error for s in self.cluster.stores.values() if s.status == "retrying" and s.error
        ]
        self.kubernetes_health = BackendHealth.failed(errors[0], None) if errors else OK

    # ------------------------------------------------------------------ actions

    def action_namespace(self) -> None:
        """Open the namespace switcher."""
        picker = NamespacePicker(self.cluster_store(Kind.NAMESPACE), self.namespace)
        self.push_screen(picker, self._switch_namespace)

    def _switch_namespace(self, namespace: str | None) -> None:
        if namespace is not None:
            self.namespace = namespace

    def action_context(self) -> None:
        """Open the context switcher (the kubeconfig's contexts)."""
        if self.backends.cluster is None:
            self.notify("Kubernetes is not configured", title="No contexts", severity="warning")
            return
        self.run_worker(self._pick_context(self.backends.cluster), group="context-picker",
                        exclusive=True, exit_on_error=False)

    async def _pick_context(self, cluster: ClusterAdapter) -> None:
        try:
            contexts = await cluster.contexts()
        except AdapterError as exc:
            self.notify(exc.detail, title=exc.title, severity="error", markup=False)
            return
        chosen = await self.push_screen_wait(ContextPicker(contexts, self.context))
        if chosen is None or chosen == self.context:
            return
        if self.backends.cluster_for is None:
            self.notify(f"this console runs on {self.context or 'one cluster'} only; start it "
                        f"with --context {chosen}", title="Cannot switch", severity="warning",
                        markup=False)
            return
        await self.switch_context(chosen)

    async def switch_context(self, context: str) -> None:
        """Leave the current cluster for ``context`` of the same kubeconfig: stop its
        stores, rebuild every area (nothing shown can belong to the old cluster),
        connect to the new one (header: connecting, then its health; read-only if
        the context is listed so), and close the old adapter."""
        make = self.backends.cluster_for
        old = self.backends.cluster
        if make is None or old is None:
            raise RuntimeError("this console cannot switch contexts")
        new = make(context)
        for worker in list(self.workers):
            if worker.group == "stores" or worker.name == "connect:kubernetes":
                worker.cancel()
        self.backends.cluster = new
        self.cluster = ClusterState(new)
        self._started_kinds.clear()
        self._cluster_ready = asyncio.Event()
        self._show_context(context)
        self.kubernetes_health = CONNECTING
        await self._rebuild_areas(context)
        self.run_worker(self._connect("kubernetes", new.connect), name="connect:kubernetes",
                        group="connect", exit_on_error=False)
        try:
            await asyncio.wait_for(old.close(), timeout=2.0)
        except Exception:  # best effort: the old cluster may be the one that is down
            log.exception("closing the adapter of the previous context failed")

    async def _rebuild_areas(self, context: str) -> None:
        """Replace every area's screen stack with a new one, back on the same area."""
        area = self.current_mode
        self.add_mode(_SWITCHING, partial(SwitchingContext, context))
        await self.switch_mode(_SWITCHING)
        for each in AREAS:
            await self.remove_mode(each.name)
            self.add_mode(each.name, each.make_screen)
        await self.switch_mode(area)
        await self.remove_mode(_SWITCHING)

    def action_help(self) -> None:
        """Show every key of the current screen."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(describe_bindings(self, self.screen)))

    async def action_quit(self) -> None:
        """Stop the stores, close the adapters, and exit."""
        self.workers.cancel_all()
        b = self.backends
        for adapter in (b.cluster, b.metrics, b.containers):
            if adapter is not None:
                try:
                    await asyncio.wait_for(adapter.close(), timeout=2.0)
                except Exception:  # closing is best effort; the process is ending
                    log.exception("closing %s failed", type(adapter).__name__)
        self.exit()

    # ------------------------------------------------------------------ palette

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action bound to a key on ``screen``, every namespace, and Textual's
        own commands (theme, screenshot) except the quit and keys it duplicates."""
        for line in describe_bindings(self, screen):
            run = partial(self.run_action, line.action, line.node)
            yield SystemCommand(line.description, f"{line.scope} · key {line.keys}", run)
        yield SystemCommand(
            "Namespace: all", "show every namespace", partial(self._switch_namespace, "")
        )
        store = self.cluster.stores.get(Kind.NAMESPACE) if self.cluster else None
        for name in sorted(store.items) if store else ():
            run_ns = partial(self._switch_namespace, name)
            yield SystemCommand(f"Namespace: {name}", "show only this namespace", run_ns)
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys"):
                yield command


def build_app(
    config: Config,
    backends: Backends,
    *,
    read_only: bool = False,
    namespace: str | None = None,
    clock: Clock | None = None,
    tune_gc: bool = False,
) -> OpsConsoleApp:
    """The console app for ``config`` over ``backends``.

    ``namespace`` (None: the config's, else all namespaces) is where it opens;
    ``read_only`` refuses every mutation (so does a context listed in
    ``kubernetes.read_only_contexts``). ``clock`` (aware UTC datetimes) measures
    ages; tests freeze it. ``tune_gc`` (the CLI sets it; tests leave the process's
    collector alone) freezes the start-up heap and collects less often once the first
    frame is painted. Nothing connects until the app runs.
    """
    if namespace is None:
        namespace = config.kubernetes.namespace or ""
    return OpsConsoleApp(
        config, backends, read_only=read_only, namespace=namespace, clock=clock, tune_gc=tune_gc
    )


def _after(
    ready: Callable[[], Awaitable[None]], connect: Callable[[], Awaitable[None]]
) -> Callable[[], Awaitable[None]]:
    """``connect`` preceded by ``ready`` (which the caller makes idempotent)."""

    async def connect_when_ready() -> None:
        await ready()
        await connect()

    return connect_when_ready


def _calm_the_garbage_collector() -> None:
    """Move everything alive after start-up out of the collector's sight, collect
    less often, and turn the collector on (``launch`` keeps it off until now). A live
    console allocates many short-lived objects (log lines, rows, strips); with the
    default thresholds a full collection of the whole heap ran every few seconds while
    logs streamed and stalled keys for 0.3-0.5 s (py-spy, bench/logs)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    gc.enable()
