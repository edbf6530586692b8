"""The sandbox server: in a thread, restarted on its own port, in a child process,
and driven by the official ``kubernetes`` client exactly as against a real cluster."""

from __future__ import annotations

import json
import stat
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from console.sandbox.server import SandboxServer, ThreadedSandbox, spawn


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.load(resp)


def test_a_spawned_sandbox_announces_its_urls_and_serves_until_terminated():
    with spawn(["--speed", "4"]) as child:
        assert get_json(f"{child.kube_url}/version")["minor"] == "32"
        assert child.kube_url.startswith("http://127.0.0.1:")
        assert stat.S_IMODE(Path(child.kubeconfig).stat().st_mode) == 0o600
        pods = get_json(f"{child.kube_url}/api/v1/pods?limit=1")
        assert pods["kind"] == "PodList"
        assert pods["metadata"]["continue"]
    assert child.terminate() == 0
    assert not Path(child.kubeconfig).exists()


async def test_a_stopped_server_starts_again_on_the_same_port():
    server = SandboxServer(speed=4.0)
    await server.start()
    url = server.kube_url
    port = int(url.rsplit(":", 1)[1])
    await server.stop()
    again = SandboxServer(speed=4.0, kube_port=port)
    await again.start()
    try:
        assert again.kube_url == url
    finally:
        await again.stop()


def test_the_kubeconfig_names_cluster_user_and_context_sandbox(sandbox, tmp_path):
    path = tmp_path / "kubeconfig"
    sandbox.write_kubeconfig(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = sandbox.server.kubeconfig()
    assert config["current-context"] == "sandbox"
    assert config["clusters"][0]["cluster"]["server"] == sandbox.kube_url


def test_call_runs_on_the_sandbox_loop_and_returns_the_result(sandbox):
    seen = sandbox.call(lambda world: (threading.current_thread().name,
                                       len(world.store.list("nodes"))))
    assert seen[0] == "sandbox"
    assert seen[1] >= 12


def api_client(sandbox: ThreadedSandbox, tmp_path: Path) -> Any:
    from kubernetes import config

    path = tmp_path / "kubeconfig"
    sandbox.write_kubeconfig(path)
    return config.new_client_from_config(str(path))


def test_the_official_client_deserialises_every_object_of_every_kind(sandbox, tmp_path):
    from kubernetes import client

    with api_client(sandbox, tmp_path) as api:
        core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
        pods = core.list_pod_for_all_namespaces()
        listed = [core.list_node(), core.list_namespace(), core.list_service_for_all_namespaces(),
                  core.list_event_for_all_namespaces(), apps.list_deployment_for_all_namespaces(),
                  apps.list_replica_set_for_all_namespaces()]
    assert len(pods.items) == sandbox.call(lambda w: len(w.store.list("pods")))
    assert all(result.items for result in listed)
    assert {p.status.qos_class for p in pods.items} <= {"Guaranteed", "Burstable", "BestEffort"}


def test_the_official_client_pages_a_list_with_limit_and_continue(sandbox, tmp_path):
    from kubernetes import client

    names: list[str] = []
    with api_client(sandbox, tmp_path) as api:
        core, token = client.CoreV1Api(api), None
        while True:
            page = core.list_pod_for_all_namespaces(limit=7, _continue=token)
            names += [p.metadata.name for p in page.items]
            token = page.metadata._continue
            if not token:
                break
    assert len(names) == len(set(names)) > 7


def test_the_official_client_watches_from_a_list_version(sandbox, tmp_path):
    from kubernetes import client, watch

    with api_client(sandbox, tmp_path) as api:
        core = client.CoreV1Api(api)
        listed = core.list_namespaced_service("default")
        body = {"metadata": {"name": "watched-svc"},
                "spec": {"ports": [{"port": 8080}], "selector": {"app": "nothing"}}}
        core.create_namespaced_service("default", body)
        try:
            events = watch.Watch().stream(core.list_namespaced_service, "default",
                                          resource_version=listed.metadata.resource_version,
                                          timeout_seconds=5)
            first = next(events)
        finally:
            core.delete_namespaced_service("watched-svc", "default")
    assert first["type"] == "ADDED"
    assert first["object"].metadata.name == "watched-svc"
    assert first["object"].spec.ports[0].target_port == 8080


def test_the_official_client_dry_runs_a_scale_without_changing_it(sandbox, tmp_path):
    from kubernetes import client

    with api_client(sandbox, tmp_path) as api:
        apps = client.AppsV1Api(api)
        before = apps.read_namespaced_deployment_scale("reranker", "serving")
        preview = apps.patch_namespaced_deployment_scale(
            "reranker", "serving", {"spec": {"replicas": before.spec.replicas + 5}},
            dry_run="All")
        after = apps.read_namespaced_deployment_scale("reranker", "serving")
    assert preview.spec.replicas == before.spec.replicas + 5
    assert after.spec.replicas == before.spec.replicas


def test_the_official_client_sees_api_errors_as_status_bodies(sandbox, tmp_path):
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    with api_client(sandbox, tmp_path) as api:
        apps = client.AppsV1Api(api)
        with pytest.raises(ApiException) as caught:
            apps.patch_namespaced_deployment_scale("reranker", "serving",
                                                   {"spec": {"replicas": -1}}, dry_run="All")
    assert caught.value.status == 422
    assert json.loads(caught.value.body)["reason"] == "Invalid"
