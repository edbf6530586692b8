"""A real Prometheus scraping the sandbox's /metrics answers the same queries, with
the same series and values (within scrape jitter), as the sandbox's PromQL face."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from adapters.prometheus import PrometheusAdapter
from console.models import QueryResult
from console.sandbox.prom_face import make_app
from tests.adapters.test_prometheus_adapter import MiniWorld
from tests.conftest import require_real

pytestmark = [pytest.mark.real_prometheus, pytest.mark.slow]

QUERIES = (
    "sum by (pod, code) (rate(model_requests_total[1m]))",
    'sum by (deployment) (rate(model_requests_total{code=~"5.."}[1m])) / '
    "sum by (deployment) (rate(model_requests_total[1m]))",
    "histogram_quantile(0.9, sum by (le) (rate(model_request_duration_seconds_bucket[1m])))",
    "sum by (gpu, pod) (DCGM_FI_DEV_FB_USED)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def face_url() -> Iterator[str]:
    """The face of a world on the real clock, served from a thread of its own."""
    loop = asyncio.new_event_loop()
    port = free_port()
    runner = web.AppRunner(make_app(MiniWorld()), access_log=None)

    async def start() -> None:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


@pytest.fixture(scope="module")
def prometheus_url(face_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus scraping the face's /metrics every second."""
    binary = shutil.which("prometheus")
    require_real("prometheus", binary is not None, "the prometheus binary is not on PATH")
    assert binary is not None
    workdir: Path = tmp_path_factory.mktemp("prometheus")
    config = workdir / "prometheus.yml"
    target = face_url.removeprefix("http://")
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        f"scrape_configs:\n  - job_name: sandbox\n    static_configs:\n"
        f"      - targets: ['{target}']\n"
    )
    port = free_port()
    proc = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        # rate(...[1m]) only means the same once a whole minute has been scraped.
        asyncio.run(wait_for_scrapes(PrometheusAdapter(url), 62))
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


async def wait_for_scrapes(prom: PrometheusAdapter, seconds: float) -> None:
    deadline = time.monotonic() + 30 + seconds
    first: float | None = None
    while time.monotonic() < deadline:
        try:
            result = await prom.query("count(model_requests_total)")
        except Exception:
            result = None
        if result is not None and result.series:
            first = first or time.monotonic()
            if time.monotonic() - first >= seconds:
                return
        await asyncio.sleep(0.5)
    pytest.fail("prometheus did not scrape the sandbox's /metrics in time")


def by_labels(result: QueryResult) -> dict[tuple[tuple[str, str], ...], float]:
    return {tuple(sorted((k, v) for k, v in s.labels.items() if k not in ("job", "instance"))):
            s.points[-1][1] for s in result.series}


@pytest.mark.parametrize("query", QUERIES)
async def test_prometheus_and_the_face_agree(
    query: str, face_url: str, prometheus_url: str
) -> None:
    prom, face = PrometheusAdapter(prometheus_url), PrometheusAdapter(face_url)
    at = time.time() - 1
    real, ours = by_labels(await prom.query(query, at)), by_labels(await face.query(query, at))
    assert real.keys() == ours.keys() and real
    for labels, value in ours.items():
        assert real[labels] == pytest.approx(value, rel=0.1), labels
