"""The metrics adapter: any Prometheus-compatible HTTP API through
``prometheus-api-client``.

The library's session carries the transport (URL, headers, TLS verification) with
retries switched off, so a timeout surfaces at once and is never repeated. Its
``custom_query`` hides Prometheus's ``errorType`` and ``warnings``; so requests go
through the same session directly and the envelope is read here. Blocking calls
run in worker threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from adapters import prometheus_parse as parse
from adapters.base import (
    AdapterError,
    Forbidden,
    InvalidRequest,
    NotFound,
    Timeout,
    Unavailable,
)

if TYPE_CHECKING:
    from console.models import Alert, AlertRule, QueryResult

#: The longest any call waits for an answer (seconds).
MAX_TIMEOUT = 10.0


class PrometheusAdapter:
    """A ``MetricsAdapter`` over ``url`` (Prometheus, Thanos, Mimir, VictoriaMetrics)."""

    def __init__(self, url: str, *, timeout: float = MAX_TIMEOUT,
                 headers: Mapping[str, str] | None = None, verify: bool = True) -> None:
        self.url = url.rstrip("/")
        self.timeout = min(timeout, MAX_TIMEOUT)
        self._headers = dict(headers or {})
        self._verify = verify
        self._client: Any = None

    def _connection(self) -> Any:
        """The library's client, built on first use (the import is deferred)."""
        if self._client is None:
            from prometheus_api_client import PrometheusConnect
            from urllib3.util.retry import Retry

            self._client = PrometheusConnect(
                url=self.url, headers=self._headers or None, disable_ssl=not self._verify,
                retry=Retry(total=0, connect=0, read=0, status=0, redirect=0),
                timeout=self.timeout,
            )
        return self._client

    async def connect(self) -> None:
        """Check the API answers ``/api/v1/status/buildinfo`` (or, where that is not
        served, a trivial query). Raises ``Unavailable``, ``Timeout``, ``Forbidden``."""
        try:
            await self._call("GET", "/api/v1/status/buildinfo", {})
        except NotFound:
            await self.query("1")

    async def close(self) -> None:
        """Release the session's connections."""
        if self._client is not None:
            await asyncio.to_thread(self._client._session.close)
            self._client = None

    async def query(self, promql: str, at: float | None = None) -> QueryResult:
        """An instant query at ``at`` (now when None), warnings preserved."""
        params = {"query": promql, **({"time": f"{at:.3f}"} if at is not None else {})}
        data, warnings = await self._call("POST", "/api/v1/query", params)
        return parse.query_result(data, warnings)

    async def query_range(self, promql: str, start: float, end: float, *,
                          max_points: int = 11_000) -> QueryResult:
        """A range query whose step keeps each series within ``max_points`` points
        (and 11,000); the step used is in the result."""
        step = parse.choose_step(start, end, max_points)
        params = {"query": promql, "start": f"{start:.3f}", "end": f"{end:.3f}",
                  "step": f"{step:g}"}
        data, warnings = await self._call("POST", "/api/v1/query_range", params)
        return parse.query_result(data, warnings, step)

    async def alerts(self) -> list[Alert]:
        """Firing and pending alerts."""
        data, _ = await self._call("GET", "/api/v1/alerts", {})
        return [parse.alert(a) for a in data.get("alerts", ())]

    async def rules(self) -> list[AlertRule]:
        """The alerting rules with their expressions and states."""
        data, _ = await self._call("GET", "/api/v1/rules", {"type": "alert"})
        return parse.alert_rules(data)

    async def label_values(self, label: str) -> list[str]:
        """The values of ``label``. Raises ``InvalidRequest`` for a malformed name."""
        data, _ = await self._call("GET", f"/api/v1/label/{label}/values", {})
        return [str(v) for v in data]

    async def _call(self, method: str, path: str, params: dict[str, str]
                    ) -> tuple[Any, list[str]]:
        return await asyncio.to_thread(self._request, method, path, params)

    def _request(self, method: str, path: str, params: dict[str, str]) -> tuple[Any, list[str]]:
        """``data`` and ``warnings`` of one API call. Raises the ``adapters.base``
        error matching the failure."""
        import requests

        client = self._connection()
        where = f"{self.url}{path}"
        try:
            response = client._session.request(
                method, where, headers=client.headers, auth=client.auth,
                verify=client._session.verify, timeout=self.timeout,
                **({"data": params} if method == "POST" else {"params": params}),
            )
        except requests.exceptions.ReadTimeout as exc:
            raise Timeout(f"{where} did not answer within {self.timeout:g} s") from exc
        except requests.exceptions.RequestException as exc:
            raise Unavailable(f"{where}: {_reason(exc)}", title="Prometheus unreachable") from exc
        return _envelope(response, where)


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text.rsplit("Caused by ", 1)[-1].rstrip(")") if "Caused by" in text else text


def _envelope(response: Any, where: str) -> tuple[Any, list[str]]:
    try:
        body = response.json()
    except ValueError:
        body = None
    status = response.status_code
    if isinstance(body, dict) and body.get("status") == "success":
        return body.get("data"), [str(w) for w in body.get("warnings") or ()]
    if isinstance(body, dict) and body.get("status") == "error":
        raise _api_error(str(body.get("errorType", "")), str(body.get("error", "")), status)
    detail = f"{where} answered HTTP {status}"
    error: AdapterError
    if status in (401, 403):
        error = Forbidden(detail, status=status)
    elif status == 404:
        error = NotFound(detail, status=status)
    elif status >= 500:
        error = Unavailable(detail, title="Prometheus unavailable", status=status)
    else:
        error = InvalidRequest(detail, status=status)
    raise error


def _api_error(error_type: str, error: str, status: int) -> AdapterError:
    """The adapter error for Prometheus's error envelope: title = ``errorType``."""
    if error_type == "timeout":
        return Timeout(error, title=error_type, status=status)
    if error_type in ("unavailable", "internal"):
        return Unavailable(error, title=error_type, status=status)
    return InvalidRequest(error, title=error_type or "bad_data", status=status)
