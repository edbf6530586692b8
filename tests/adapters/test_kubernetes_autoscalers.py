"""HorizontalPodAutoscalers through the KubernetesAdapter: listed and watched as
``Kind.HPA``, read as manifests, and ``autoscalers()`` — which gives none, rather
than an error, on a cluster without autoscaling/v2 or without the permission."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.base import Kind, Unavailable
from adapters.kubernetes import KubernetesAdapter
from console.models import Hpa
from console.sandbox import kubeconfig as sandbox_kubeconfig
from console.sandbox.kube.resources import SERVER_VERSION
from tests.adapters.kube_support import create, deployment, eventually


def hpa_body(name: str, target: str, *, low: int = 1, high: int = 4) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
            "minReplicas": low,
            "maxReplicas": high,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}}],
        },
    }


async def test_the_default_worlds_hpas_are_listed_with_their_targets_and_bounds(
    kube: KubernetesAdapter,
) -> None:
    found = await kube.autoscalers("serving")
    by_target = {h.target_name: h for h in found}
    assert all(isinstance(h, Hpa) for h in found)
    gateway = by_target["llm-gateway"]
    assert (gateway.target_kind, gateway.min_replicas, gateway.max_replicas) == (
        "Deployment", 2, 8)
    assert gateway.cpu_target == 70
    assert "mistral-7b-chat" not in by_target
    assert await kube.autoscalers("platform") == []


async def test_an_hpa_created_in_a_namespace_is_listed_watched_and_read(
    kube: KubernetesAdapter, ns: str
) -> None:
    await create(kube, Kind.DEPLOYMENT, ns, deployment("web", "registry.local/test/web:1",
                                                       replicas=2))
    listed = await kube.list(Kind.HPA, ns)
    assert listed.items == []
    await create(kube, Kind.HPA, ns, hpa_body("web", "web", low=3, high=5))

    async def listed_hpa() -> Any:
        items = (await kube.list(Kind.HPA, ns)).items
        return items[0] if items else None

    hpa = await eventually(listed_hpa, lambda h: isinstance(h, Hpa) and h.desired_replicas == 3)
    assert (hpa.namespace, hpa.name, hpa.target_name) == (ns, "web", "web")
    assert hpa.scales(ns, "web") and not hpa.scales(ns, "other")
    manifest = await kube.get_manifest(Kind.HPA, ns, "web")
    assert manifest["apiVersion"] == "autoscaling/v2"
    assert manifest["spec"]["scaleTargetRef"]["name"] == "web"
    watch = kube.watch(Kind.HPA, listed.resource_version, ns, timeout_seconds=5)
    event = await anext(aiter(watch))
    assert event.type == "ADDED" and isinstance(event.obj, Hpa)
    await watch.aclose()  # type: ignore[attr-defined]
    # The HPA's controller raised the Deployment to minReplicas.
    assert (await kube.get_manifest(Kind.DEPLOYMENT, ns, "web"))["spec"]["replicas"] == 3


@pytest.fixture
async def refusing_server(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """An API server that answers ``/version`` and, for everything else, the HTTP
    status the test is parametrised with (as a metav1.Status)."""
    code: int = request.param

    async def version(_: web.Request) -> web.Response:
        return web.json_response(SERVER_VERSION)

    async def refuse(_: web.Request) -> web.Response:
        reason = {403: "Forbidden", 404: "NotFound", 500: "InternalError"}[code]
        return web.json_response({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                  "message": "refused", "reason": reason, "code": code},
                                 status=code)

    app = web.Application()
    app.router.add_get("/version", version)
    app.router.add_route("*", "/{tail:.*}", refuse)
    server = TestServer(app)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def adapter_for(url: str, tmp_path: Path) -> KubernetesAdapter:
    sandbox_kubeconfig.write(sandbox_kubeconfig.build(url), tmp_path / "kc")
    kube = KubernetesAdapter(kubeconfig=str(tmp_path / "kc"), request_timeout=3.0)
    await kube.connect()
    return kube


@pytest.mark.parametrize("refusing_server", [404, 403], indirect=True)
async def test_no_autoscaling_api_or_no_permission_means_no_hpas(
    refusing_server: str, tmp_path: Path
) -> None:
    kube = await adapter_for(refusing_server, tmp_path)
    try:
        assert await kube.autoscalers("serving") == []
    finally:
        await kube.close()


@pytest.mark.parametrize("refusing_server", [500], indirect=True)
async def test_a_failing_server_is_still_an_error(refusing_server: str, tmp_path: Path) -> None:
    kube = await adapter_for(refusing_server, tmp_path)
    try:
        with pytest.raises(Unavailable):
            await kube.autoscalers("serving")
    finally:
        await kube.close()
