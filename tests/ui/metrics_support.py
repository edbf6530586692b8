"""Building the console over the served sandbox for the Metrics and Alerts tests."""

from __future__ import annotations

import socket
from pathlib import Path

from adapters.kubernetes import KubernetesAdapter
from adapters.prometheus import PrometheusAdapter
from console.app import Backends, OpsConsoleApp, build_app
from console.config import Config, UiConfig
from console.sandbox.server import ThreadedSandbox


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def sandbox_app(sandbox: ThreadedSandbox, tmp_path: Path, *,
                prometheus_url: str | None = None, read_only: bool = False) -> OpsConsoleApp:
    """The console over ``sandbox``'s Kubernetes face and its Prometheus face (or
    ``prometheus_url``), refreshing charts every half second."""
    kubeconfig = tmp_path / "kubeconfig"
    sandbox.write_kubeconfig(kubeconfig)
    url = prometheus_url or sandbox.prometheus_url
    assert url is not None
    backends = Backends(
        KubernetesAdapter(kubeconfig=str(kubeconfig), request_timeout=5.0),
        metrics=PrometheusAdapter(url),
        sandbox=True,
    )
    return build_app(Config(ui=UiConfig(refresh_seconds=0.5)), backends, read_only=read_only)
