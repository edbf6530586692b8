"""The HTTP side of the Kubernetes adapter: credentials, one pooled client, requests.

``load_transport`` reads a kubeconfig (or the in-cluster service account) through
the official client and returns a ``KubeTransport`` around one ``ApiClient`` —
one connection pool, shared by every request and stream of the adapter. Requests
are blocking (the adapter runs them in threads) and return raw bytes or the raw
response: nothing is deserialised into the client's own models. Every failure is
mapped once, here, into the ``adapters.base`` errors.

The ``kubernetes`` package is imported by ``load_transport`` only, never when this
module is imported: the console paints its first frame before the SDK has loaded.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adapters.base import AdapterError, Unavailable
from adapters.kube_errors import Operation, error_from_exception, error_from_status, public_url

if TYPE_CHECKING:
    from urllib3 import HTTPResponse

IN_CLUSTER_CONTEXT = "in-cluster"
SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
#: Connections kept per host: a watch per kind, lists, logs and mutations at once.
POOL_SIZE = 32

QueryValue = str | int | bool
Query = Sequence[tuple[str, QueryValue]]
RequestTimeout = float | tuple[float, float | None]


@dataclass(frozen=True, slots=True)
class KubeconfigChoice:
    """Which context of which kubeconfig the adapter uses."""

    path: str | None
    context: str
    namespace: str


def kubeconfig_contexts(path: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every context of the kubeconfig at ``path`` (``$KUBECONFIG`` or
    ``~/.kube/config`` when None) and the current one. Raises ``Unavailable``
    naming the file when it is missing or unreadable."""
    from kubernetes import config

    try:
        contexts, current = config.list_kube_config_contexts(config_file=path)  # type: ignore[no-untyped-call]
    except (config.ConfigException, OSError, ValueError) as exc:
        where = path or os.environ.get("KUBECONFIG") or "~/.kube/config"
        raise Unavailable(f"{where}: {exc}", title="Kubeconfig unusable") from exc
    return list(contexts or []), dict(current or {})


class KubeTransport:
    """Blocking requests to one API server through one pooled ``ApiClient``."""

    def __init__(self, api_client: Any, context: str, namespace: str) -> None:
        self._api = api_client
        self.context = context
        self.default_namespace = namespace
        #: The server URL without credentials, for the header and error messages.
        self.server = public_url(api_client.configuration.host)

    # ------------------------------------------------------------ loading

    @classmethod
    def from_kubeconfig(
        cls, path: str | None, context: str | None, namespace: str | None
    ) -> KubeTransport:
        """A transport for ``context`` (the current one when None) of the kubeconfig
        at ``path``. Raises ``Unavailable`` for a missing file or unknown context."""
        from kubernetes import client, config

        path = os.path.expanduser(path) if path else None
        contexts, current = kubeconfig_contexts(path)
        name = context or current.get("name", "")
        chosen = next((c for c in contexts if c.get("name") == name), None)
        if chosen is None:
            known = ", ".join(sorted(c.get("name", "") for c in contexts)) or "none"
            raise Unavailable(
                f"context {name!r} is not in the kubeconfig (contexts: {known})",
                title="Unknown context",
            )
        configuration = client.Configuration()
        try:
            config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=path,
                context=name,
                client_configuration=configuration,
                persist_config=False,
            )
        except (config.ConfigException, OSError, ValueError) as exc:
            raise Unavailable(f"context {name!r}: {exc}", title="Kubeconfig unusable") from exc
        ns = namespace or (chosen.get("context") or {}).get("namespace") or "default"
        return cls(_api_client(configuration), name, ns)

    @classmethod
    def from_service_account(cls, namespace: str | None) -> KubeTransport:
        """A transport from the pod's service account. Raises ``Unavailable``
        outside a cluster."""
        from kubernetes import client, config

        configuration = client.Configuration()
        try:
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
            if namespace is None:
                with open(SERVICE_ACCOUNT_NAMESPACE, encoding="utf-8") as fh:
                    namespace = fh.read().strip()
        except (config.ConfigException, OSError) as exc:
            raise Unavailable(str(exc), title="Not running in a cluster") from exc
        return cls(_api_client(configuration), IN_CLUSTER_CONTEXT, namespace or "default")

    # ------------------------------------------------------------ requests

    def open(
        self,
        method: str,
        path: str,
        op: Operation,
        *,
        query: Query = (),
        body: Any = None,
        content_type: str | None = None,
        accept: str = "application/json",
        timeout: RequestTimeout,
    ) -> HTTPResponse:
        """Send a request and return the response with its body unread, for
        streaming (the caller releases it). Raises the mapped error for a failure
        or an error status."""
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            method, url, headers, body, _ = self._api.param_serialize(
                method,
                path,
                query_params=list(query),
                header_params=headers,
                body=body,
                auth_settings=["BearerToken"],
            )
            response = self._api.call_api(
                method, url, header_params=headers, body=body, _request_timeout=timeout
            ).response
        except Exception as exc:
            raise error_from_exception(exc, op, self.server) from exc
        if response.status >= 400:
            try:
                data = response.data
            except Exception:  # the status says enough without the body
                data = b""
            response.release_conn()
            raise error_from_status(response.status, data, op, self.server)
        return response  # type: ignore[no-any-return]

    def fetch(
        self, method: str, path: str, op: Operation, *, timeout: RequestTimeout, **kwargs: Any
    ) -> bytes:
        """The whole body of a request (``open``'s arguments). Raises like ``open``,
        and maps a failure while reading the body too."""
        response = self.open(method, path, op, timeout=timeout, **kwargs)
        try:
            body: bytes = response.data
        except Exception as exc:
            response.close()  # half read: the connection cannot be reused
            raise error_from_exception(exc, op, self.server) from exc
        response.release_conn()
        return body

    def fetch_json(
        self, method: str, path: str, op: Operation, *, timeout: RequestTimeout, **kwargs: Any
    ) -> Any:
        """The JSON body of a request, decoded. Raises like ``fetch``, and
        ``AdapterError`` when the body is not JSON (a proxy's error page)."""
        body = self.fetch(method, path, op, timeout=timeout, **kwargs)
        try:
            return json.loads(body)
        except ValueError as exc:
            raise AdapterError(
                f"{self.server} answered {op.verb} {op.target} with something that is not JSON",
                title="Unexpected answer",
            ) from exc

    def close(self) -> None:
        """Close the pooled connections."""
        self._api.close()


def import_sdk() -> None:
    """Import the ``kubernetes`` package (about 0.4 s of CPU), so that loading a
    transport later finds it ready. Blocking: call it in a worker thread."""
    importlib.import_module("kubernetes.client")
    importlib.import_module("kubernetes.config")


def _api_client(configuration: Any) -> Any:
    from kubernetes import client

    configuration.connection_pool_maxsize = POOL_SIZE
    return client.ApiClient(configuration)
