"""Server-side printing: meta.k8s.io/v1 Tables with the real API server's columns.

kubectl asks for ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io`` and prints
whatever columns the server sends, so these follow Kubernetes' own printers
(``pkg/printers/internalversion``): the same column names, priorities (1 = shown
only with ``-o wide``) and cell wording (``1/1``, ``CrashLoopBackOff``,
``5 (2m ago)``, ``<none>``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.sandbox.kube.humanize import age, since
from console.sandbox.kube.pod_status import pod_cells

Manifest = dict[str, Any]
Column = tuple[str, str, int]  # name, type, priority
Printer = Callable[[Manifest, float], list[Any]]

_NAME_DOC = "Name must be unique within a namespace."


def _wide_workload(obj: Manifest) -> list[Any]:
    spec = obj.get("spec") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    return [
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
        ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>",
    ]


def _deployment(obj: Manifest, now: float) -> list[Any]:
    status = obj.get("status") or {}
    desired = (obj.get("spec") or {}).get("replicas", 1)
    return [
        obj["metadata"]["name"],
        f"{status.get('readyReplicas', 0)}/{desired}",
        status.get("updatedReplicas", 0),
        status.get("availableReplicas", 0),
        age(obj, now),
        *_wide_workload(obj),
    ]


def _replicaset(obj: Manifest, now: float) -> list[Any]:
    status = obj.get("status") or {}
    return [
        obj["metadata"]["name"],
        (obj.get("spec") or {}).get("replicas", 1),
        status.get("replicas", 0),
        status.get("readyReplicas", 0),
        age(obj, now),
        *_wide_workload(obj),
    ]


def _node(obj: Manifest, now: float) -> list[Any]:
    status = obj.get("status") or {}
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    state = "Unknown" if ready is None else ("Ready" if ready.get("status") == "True"
                                             else "NotReady")
    if (obj.get("spec") or {}).get("unschedulable"):
        state += ",SchedulingDisabled"
    labels = obj["metadata"].get("labels") or {}
    roles = sorted(k.split("/", 1)[1] for k in labels
                   if k.startswith("node-role.kubernetes.io/") and "/" in k)
    if labels.get("kubernetes.io/role"):
        roles.append(labels["kubernetes.io/role"])
    info = status.get("nodeInfo") or {}
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    return [
        obj["metadata"]["name"],
        state,
        ",".join(roles) or "<none>",
        age(obj, now),
        info.get("kubeletVersion", ""),
        addresses.get("InternalIP") or "<none>",
        addresses.get("ExternalIP") or "<none>",
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def _service(obj: Manifest, now: float) -> list[Any]:
    spec = obj.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    ports = [
        f"{p.get('port')}:{p['nodePort']}/{p.get('protocol', 'TCP')}" if p.get("nodePort")
        else f"{p.get('port')}/{p.get('protocol', 'TCP')}"
        for p in spec.get("ports") or []
    ]
    ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    external = ",".join(i.get("ip") or i.get("hostname", "") for i in ingress)
    if not external:
        external = "<pending>" if kind == "LoadBalancer" else "<none>"
    selector = spec.get("selector") or {}
    return [
        obj["metadata"]["name"],
        kind,
        spec.get("clusterIP") or "<none>",
        external,
        ",".join(ports) or "<none>",
        age(obj, now),
        ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>",
    ]


def _namespace(obj: Manifest, now: float) -> list[Any]:
    phase = (obj.get("status") or {}).get("phase", "Active")
    return [obj["metadata"]["name"], phase, age(obj, now)]


def _event(obj: Manifest, now: float) -> list[Any]:
    first = since(obj.get("firstTimestamp") or obj.get("eventTime"), now)
    last = since(obj.get("lastTimestamp"), now) if obj.get("lastTimestamp") else first
    count = obj.get("count") or 1
    if obj.get("series"):
        last = since(obj["series"].get("lastObservedTime"), now)
        count = obj["series"].get("count", count)
    involved = obj.get("involvedObject") or {}
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = obj.get("source") or {}
    origin = [source.get("component"), source.get("host")]
    if not any(origin):
        origin = [obj.get("reportingComponent"), obj.get("reportingInstance")]
    return [
        last,
        obj.get("type", ""),
        obj.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        ", ".join(part for part in origin if part),
        str(obj.get("message", "")).strip(),
        first,
        count,
        obj["metadata"]["name"],
    ]


def _hpa_metric(spec: Manifest, status: Manifest | None) -> str:
    """One metric of an HPA as ``formatHPAMetrics`` prints it (``cpu: 64%/70%``)."""
    kind = spec.get("type", "")
    if kind not in ("Resource", "ContainerResource"):
        return "<unknown type>"
    source = spec.get("resource" if kind == "Resource" else "containerResource") or {}
    current_source = (status or {}).get("resource" if kind == "Resource"
                                        else "containerResource") or {}
    current = current_source.get("current") or {}
    target = source.get("target") or {}
    name = source.get("name", "")
    if target.get("averageValue") is not None:
        return f"{name}: {current.get('averageValue', '<unknown>')}/{target['averageValue']}"
    now = (f"{current['averageUtilization']}%" if current.get("averageUtilization") is not None
           else "<unknown>")
    wanted = (f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None
              else "<auto>")
    return f"{name}: {now}/{wanted}"


def _hpa(obj: Manifest, now: float) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    metrics, current = spec.get("metrics") or [], status.get("currentMetrics") or []
    shown = [_hpa_metric(m, current[i] if i < len(current) else None)
             for i, m in enumerate(metrics)]
    targets = ", ".join(shown[:2]) or "<none>"
    if len(shown) > 2:
        targets += f" + {len(shown) - 2} more..."
    minimum = spec.get("minReplicas")
    return [
        obj["metadata"]["name"],
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        targets,
        "<unset>" if minimum is None else str(minimum),
        spec.get("maxReplicas", 0),
        status.get("currentReplicas", 0),
        age(obj, now),
    ]


_COLUMNS: dict[str, tuple[list[Column], Printer]] = {
    "pods": ([("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0),
              ("Restarts", "string", 0), ("Age", "string", 0), ("IP", "string", 1),
              ("Node", "string", 1), ("Nominated Node", "string", 1),
              ("Readiness Gates", "string", 1)], pod_cells),
    "deployments": ([("Name", "string", 0), ("Ready", "string", 0),
                     ("Up-to-date", "integer", 0), ("Available", "integer", 0),
                     ("Age", "string", 0), ("Containers", "string", 1), ("Images", "string", 1),
                     ("Selector", "string", 1)], _deployment),
    "replicasets": ([("Name", "string", 0), ("Desired", "integer", 0),
                     ("Current", "integer", 0), ("Ready", "integer", 0), ("Age", "string", 0),
                     ("Containers", "string", 1), ("Images", "string", 1),
                     ("Selector", "string", 1)], _replicaset),
    "nodes": ([("Name", "string", 0), ("Status", "string", 0), ("Roles", "string", 0),
               ("Age", "string", 0), ("Version", "string", 0), ("Internal-IP", "string", 1),
               ("External-IP", "string", 1), ("OS-Image", "string", 1),
               ("Kernel-Version", "string", 1), ("Container-Runtime", "string", 1)], _node),
    "services": ([("Name", "string", 0), ("Type", "string", 0), ("Cluster-IP", "string", 0),
                  ("External-IP", "string", 0), ("Port(s)", "string", 0), ("Age", "string", 0),
                  ("Selector", "string", 1)], _service),
    "namespaces": ([("Name", "string", 0), ("Status", "string", 0), ("Age", "string", 0)],
                   _namespace),
    "events": ([("Last Seen", "string", 0), ("Type", "string", 0), ("Reason", "string", 0),
                ("Object", "string", 0), ("Subobject", "string", 1), ("Source", "string", 1),
                ("Message", "string", 0), ("First Seen", "string", 1), ("Count", "integer", 1),
                ("Name", "string", 1)], _event),
    "horizontalpodautoscalers": ([("Name", "string", 0), ("Reference", "string", 0),
                                  ("Targets", "string", 0), ("MinPods", "string", 0),
                                  ("MaxPods", "integer", 0), ("Replicas", "integer", 0),
                                  ("Age", "string", 0)], _hpa),
}


def wants_table(accept: str) -> bool:
    """Whether an Accept header asks for a meta.k8s.io Table."""
    return "as=Table" in accept and "g=meta.k8s.io" in accept


def _row_object(obj: Manifest, include: str) -> Manifest | None:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj["metadata"]}


def table(plural: str, objs: list[Manifest], *, now: float, include: str = "Metadata",
          metadata: Manifest | None = None, headers: bool = True) -> Manifest:
    """A Table of ``objs`` (all of kind ``plural``) with ages measured at ``now``.

    ``include`` is the request's ``includeObject`` (None, Metadata, Object);
    ``headers=False`` leaves out the column definitions (later watch events)."""
    columns, printer = _COLUMNS[plural]
    if plural == "events":  # the real printer sorts a page of events by last timestamp
        objs = sorted(objs, key=lambda e: e.get("lastTimestamp") or "")
    rows = []
    for obj in objs:
        row: Manifest = {"cells": printer(obj, now)}
        attached = _row_object(obj, include)
        if attached is not None:
            row["object"] = attached
        rows.append(row)
    definitions = [
        {"name": name, "type": kind, "format": "name" if name == "Name" else "",
         "description": _NAME_DOC if name == "Name" else name, "priority": priority}
        for name, kind, priority in columns
    ] if headers else []
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata or {},
            "columnDefinitions": definitions, "rows": rows}

