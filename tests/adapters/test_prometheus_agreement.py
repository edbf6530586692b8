"""A real Prometheus scraping the sandbox's /metrics answers the same queries, with
the same series and values (within scrape jitter), as the sandbox's PromQL face.

The sandbox is the default world (every deployment, GPU node and crash loop),
served on the real clock so that the face and the real Prometheus see the same
time."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.prometheus import PrometheusAdapter
from console.models import QueryResult
from console.sandbox.server import ThreadedSandbox
from tests.conftest import require_real

pytestmark = [pytest.mark.real_prometheus, pytest.mark.slow]

QUERIES = (
    "sum by (pod, code) (rate(model_requests_total[1m]))",
    'sum by (deployment) (rate(model_requests_total{code=~"5.."}[1m])) / '
    "sum by (deployment) (rate(model_requests_total[1m]))",
    "histogram_quantile(0.9, sum by (le) (rate(model_request_duration_seconds_bucket[1m])))",
    "sum by (gpu, pod) (DCGM_FI_DEV_FB_USED)",
)

#: Counters grow by whole requests, so a slow pod's rate over 1m moves by about
#: one request per window edge between the face's 15 s grid and a 1 s scrape, and
#: rate()'s extrapolation to the window's edges scales that by up to 60/45 on the
#: 15 s grid: three requests a minute in all (seen: 0.254 vs 0.289 req/s).
JITTER = 3 / 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def face_url() -> Iterator[str]:
    """The Prometheus face of the default sandbox world, on the real clock."""
    with ThreadedSandbox(seed=7, speed=1.0) as sandbox:
        assert sandbox.prometheus_url is not None
        yield sandbox.prometheus_url


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
        assert real[labels] == pytest.approx(value, rel=0.1, abs=JITTER), labels
