"""Manifests for the sandbox world, shaped exactly as the API server returns them
(defaults filled in): namespaces, nodes, deployments, services, bare pods and
HorizontalPodAutoscalers."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from console.sandbox.clock import iso
from console.sandbox.qos import qos_class
from console.sandbox.store import Manifest

KUBELET_VERSION = "v1.29.6"
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


def namespace(name: str, created: float) -> Manifest:
    """A Namespace, Active."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name},
                     "creationTimestamp": iso(created)},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def _uuid(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def node(
    name: str,
    index: int,
    created: float,
    *,
    cpu: int,
    memory_gi: int,
    role: str,
    labels: dict[str, str] | None = None,
    extended: dict[str, int] | None = None,
    taints: list[dict[str, str]] | None = None,
    instance_type: str = "m6i.8xlarge",
) -> Manifest:
    """A Ready node with ``cpu`` cores, ``memory_gi`` GiB and ``extended``
    resources (``nvidia.com/gpu``, MIG profiles, …); allocatable keeps back what
    the kubelet reserves for the system."""
    capacity = {
        "cpu": str(cpu),
        "memory": f"{memory_gi * 1024 * 1024}Ki",
        "ephemeral-storage": "487652836Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "pods": "110",
        **{k: str(v) for k, v in (extended or {}).items()},
    }
    allocatable = {**capacity, "cpu": f"{cpu * 1000 - 500}m",
                   "memory": f"{memory_gi * 1024 * 1024 - 1_048_576}Ki",
                   "ephemeral-storage": "449428535763"}
    stamp = iso(created)
    conditions = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory",
         "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    role_label = f"node-role.kubernetes.io/{role}"
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": instance_type,
                "topology.kubernetes.io/zone": f"us-east-1{'abc'[index % 3]}",
                role_label: "",
                **(labels or {}),
            },
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
            "creationTimestamp": stamp,
        },
        "spec": {
            "podCIDR": f"10.244.{index}.0/24",
            "podCIDRs": [f"10.244.{index}.0/24"],
            **({"taints": copy.deepcopy(taints)} if taints else {}),
        },
        "status": {
            "capacity": capacity,
            "allocatable": allocatable,
            "conditions": [
                {"type": t, "status": s, "lastHeartbeatTime": stamp, "lastTransitionTime": stamp,
                 "reason": r, "message": m}
                for t, s, r, m in conditions
            ],
            "addresses": [
                {"type": "InternalIP", "address": f"10.0.{index // 250}.{index % 250 + 4}"},
                {"type": "Hostname", "address": name},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "machineID": _uuid(f"machine/{name}").replace("-", ""),
                "systemUUID": _uuid(f"system/{name}"),
                "bootID": _uuid(f"boot/{name}"),
                "kernelVersion": "5.15.0-1063-aws",
                "osImage": "Ubuntu 22.04.4 LTS",
                "containerRuntimeVersion": "containerd://1.7.12",
                "kubeletVersion": KUBELET_VERSION,
                "kubeProxyVersion": KUBELET_VERSION,
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        },
    }


def container(
    name: str,
    image: str,
    *,
    requests: dict[str, str] | None = None,
    limits: dict[str, str] | None = None,
    port: int | None = 8000,
    args: list[str] | None = None,
) -> Manifest:
    """A container spec with the API server's defaults."""
    resources: dict[str, Any] = {}
    if limits:
        resources["limits"] = dict(limits)
    if requests or limits:
        resources["requests"] = {**(limits or {}), **(requests or {})}
    spec: dict[str, Any] = {"name": name, "image": image}
    if args:
        spec["args"] = list(args)
    if port:
        spec["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    spec |= {
        "resources": resources,
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
    }
    return spec


def pod_spec(
    containers: list[Manifest],
    *,
    node_selector: dict[str, str] | None = None,
    gpu: bool = False,
    restart_policy: str = "Always",
) -> Manifest:
    """A pod spec with the API server's defaults (GPU pods tolerate the GPU taint)."""
    spec: dict[str, Any] = {
        "containers": containers,
        "restartPolicy": restart_policy,
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "securityContext": {},
        "schedulerName": "default-scheduler",
    }
    if node_selector:
        spec["nodeSelector"] = dict(node_selector)
    if gpu:
        spec["tolerations"] = [dict(GPU_TOLERATION)]
    return spec


def deployment(
    ns: str,
    name: str,
    spec: Manifest,
    *,
    replicas: int,
    created: float,
    labels: dict[str, str] | None = None,
    change_cause: str = "",
) -> Manifest:
    """A Deployment selecting ``labels`` (default ``app=<name>``), RollingUpdate 25%/25%."""
    labels = labels or {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": dict(labels),
            "annotations": {"kubernetes.io/change-cause": change_cause} if change_cause else {},
            "creationTimestamp": iso(created),
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"creationTimestamp": None, "labels": dict(labels)},
                         "spec": copy.deepcopy(spec)},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
        },
        "status": {},
    }


def autoscaler(ns: str, deployment_name: str, *, min_replicas: int, max_replicas: int,
               cpu_percent: int, created: float) -> Manifest:
    """An autoscaling/v2 HorizontalPodAutoscaler named after the Deployment it scales,
    on average CPU utilisation (percent of request)."""
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": deployment_name, "namespace": ns,
                     "creationTimestamp": iso(created)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                               "name": deployment_name},
            "minReplicas": min_replicas,
            "maxReplicas": max_replicas,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": cpu_percent}}}],
        },
        "status": {"currentReplicas": 0, "desiredReplicas": 0},
    }


def service(ns: str, name: str, selector: dict[str, str], *, ip: str, port: int,
            target: int, created: float) -> Manifest:
    """A ClusterIP Service on ``ip`` forwarding ``port`` to ``target``."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name},
                     "creationTimestamp": iso(created)},
        "spec": {
            "type": "ClusterIP",
            "clusterIP": ip,
            "clusterIPs": [ip],
            "ports": [{"name": "http", "port": port, "targetPort": target, "protocol": "TCP"}],
            "selector": dict(selector),
            "sessionAffinity": "None",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster",
        },
        "status": {"loadBalancer": {}},
    }


def bare_pod(ns: str, name: str, spec: Manifest, *, labels: dict[str, str],
             created: float) -> Manifest:
    """A pod with no controller (a notebook, a training worker, a node agent)."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": dict(labels),
                     "creationTimestamp": iso(created)},
        "spec": copy.deepcopy(spec),
        "status": {"phase": "Pending", "qosClass": qos_class(spec)},
    }
