"""From a resolved config to a running console: adapters, the sandbox, the app.

The CLI calls ``launch``. On the sandbox, the simulated platform runs in a child
process (so it never shares the UI's interpreter lock) on loopback ports chosen
here; the adapters are built at once and connect as soon as the child announces
itself, so the first frame never waits for it.
"""

from __future__ import annotations

import asyncio
import gc
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.base import ClusterAdapter, ContainerAdapter, MetricsAdapter, Unavailable
from console.config import Config

if TYPE_CHECKING:
    from console.app import Backends


class SandboxBackends:
    """The sandbox child process and the three adapters pointed at it."""

    def __init__(self, config: Config, *, namespace: str | None) -> None:
        from console.sandbox.process import listening_sockets, start

        self._tmp = tempfile.TemporaryDirectory(prefix="opsconsole-")
        kubeconfig = Path(self._tmp.name) / "kubeconfig"
        # This process binds the three listening sockets and the child inherits
        # them: the adapters know their addresses at once and no port can be
        # taken by anything else before the child serves it.
        sockets = listening_sockets()
        _, prom, dock = (int(s.getsockname()[1]) for s in sockets)  # kube: in the kubeconfig
        sandbox = config.sandbox
        args = ["--seed", str(sandbox.seed), "--speed", str(sandbox.speed),
                "--kubeconfig-out", str(kubeconfig)]
        if sandbox.pods:
            args += ["--pods", str(sandbox.pods)]
        if sandbox.nodes:
            args += ["--nodes", str(sandbox.nodes)]
        log = (Path(self._tmp.name) / "sandbox.log").open("w")
        self._log_path = Path(log.name)
        self.child = start(args, stderr=log.fileno(), sockets=sockets)
        log.close()
        for sock in sockets:
            sock.close()  # the child holds its own descriptors
        # The child starts first: it populates its world while this process imports
        # the adapters and the UI.
        from adapters.docker import DockerAdapter
        from adapters.kubernetes import KubernetesAdapter
        from adapters.prometheus import PrometheusAdapter

        self._ready: asyncio.Future[None] | None = None
        self._kube = KubernetesAdapter(
            kubeconfig=str(kubeconfig), context="sandbox", namespace=namespace,
            request_timeout=config.kubernetes.request_timeout,
        )
        self.cluster: ClusterAdapter = self._kube
        self.metrics: MetricsAdapter = PrometheusAdapter(
            f"http://127.0.0.1:{prom}", timeout=config.prometheus.timeout
        )
        self.containers: ContainerAdapter = DockerAdapter(
            f"tcp://127.0.0.1:{dock}", timeout=config.docker.timeout
        )

    async def ready(self) -> None:
        """Wait (once, shared by every caller) until the child serves. Raises
        ``Unavailable`` with the child's last words when it died."""
        if self._ready is None:
            self._ready = asyncio.ensure_future(self._start_up())
        await asyncio.shield(self._ready)

    async def _start_up(self) -> None:
        # The Kubernetes SDK loads while the child starts, not after it announced.
        await asyncio.gather(asyncio.to_thread(self._wait), self._kube.preload())

    def _wait(self) -> None:
        try:
            self.child.wait_ready(timeout=60)
        except RuntimeError as exc:
            tail = self._log_path.read_text(errors="replace").strip().splitlines()[-5:]
            raise Unavailable("\n".join([str(exc), *tail]),
                              title="Sandbox failed to start") from exc

    def close(self) -> None:
        self.child.terminate()
        self._tmp.cleanup()


def real_backends(
    config: Config, *, kubeconfig: Path | None, context: str | None, namespace: str | None
) -> Backends:
    """Adapters for a real cluster (and Prometheus/Docker where configured); with a
    kubeconfig, the context switcher can open any of its contexts."""
    from adapters.kubernetes import KubernetesAdapter
    from console.app import Backends

    timeout = config.kubernetes.request_timeout
    cluster: ClusterAdapter
    cluster_for: Callable[[str], ClusterAdapter] | None = None
    if kubeconfig is None:
        cluster = KubernetesAdapter.in_cluster(namespace, request_timeout=timeout)
    else:
        cluster_for = partial(KubernetesAdapter, str(kubeconfig), namespace=namespace,
                              request_timeout=timeout)
        cluster = KubernetesAdapter(str(kubeconfig), context, namespace, request_timeout=timeout)
    metrics: MetricsAdapter | None = None
    if config.prometheus.url:
        from adapters.prometheus import PrometheusAdapter

        headers = {k: v.get_secret_value() for k, v in config.prometheus.headers.items()}
        metrics = PrometheusAdapter(config.prometheus.url, timeout=config.prometheus.timeout,
                                    headers=headers, verify=config.prometheus.verify_tls)
    from adapters.docker import DockerAdapter

    containers: ContainerAdapter = DockerAdapter(config.docker.host, timeout=config.docker.timeout)
    return Backends(cluster, metrics, containers, cluster_for=cluster_for)


def launch(
    config: Config,
    *,
    sandbox: bool,
    kubeconfig: Path | None,
    context: str | None,
    namespace: str | None,
    read_only: bool,
) -> int:
    """Run the console until the user quits; returns the exit status."""
    # No collection until the first frame: the start-up heap is built once, and the app
    # freezes it and turns the collector back on after painting (``tune_gc``).
    gc.disable()
    sb = SandboxBackends(config, namespace=namespace) if sandbox else None
    from console.app import Backends, build_app  # Textual: after the sandbox child started

    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    if sb is not None:
        backends = Backends(sb.cluster, sb.metrics, sb.containers, sandbox=True, ready=sb.ready)
        cleanup = sb.close
    else:
        backends = real_backends(
            config, kubeconfig=kubeconfig, context=context, namespace=namespace
        )
    try:
        app = build_app(
            config, backends, read_only=read_only, namespace=namespace or "", tune_gc=True
        )
        app.run()
    finally:
        cleanup()
    return app.return_code or 0
