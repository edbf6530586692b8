"""What the API server checks and fills in before it stores an object.

``apply_defaults`` fills the fields the real server defaults on create;
``validate`` returns the field errors the real server would report, worded as it
words them (``spec.replicas: Invalid value: -1: must be greater than or equal to
0``), and ``check_types`` refuses a body whose fields have the wrong JSON type
with the real server's decode error.
"""

from __future__ import annotations

import re
from typing import Any

from console.sandbox.kube.resources import Resource
from console.sandbox.kube.status import bad_request, invalid

Manifest = dict[str, Any]
Cause = tuple[str, str, str]

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_INT32_MAX = 2**31 - 1
_POD_UPDATE_FORBIDDEN = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
    "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
    "(allow it to be set to 1 if it was previously negative)"
)


def _go(value: Any) -> str:
    """A value as Go's ``%v``/``%q`` prints it in validation messages."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        inner = ", ".join(f'"{k}":"{v}"' for k, v in sorted(value.items()))
        return f"map[string]string{{{inner}}}"
    return str(value)


def _default_pod_spec(spec: Manifest) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    for container in spec.get("containers") or []:
        image = str(container.get("image", ""))
        latest = ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
        container.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        container.setdefault("resources", {})


def apply_defaults(res: Resource, obj: Manifest) -> None:
    """Fill, in place, the fields the real server defaults when ``obj`` is created."""
    spec = obj.get("spec")
    if res.plural in ("deployments", "replicasets") and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        if res.plural == "deployments":
            spec.setdefault("strategy", {"type": "RollingUpdate", "rollingUpdate": {
                "maxUnavailable": "25%", "maxSurge": "25%"}})
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
        template_spec = (spec.get("template") or {}).get("spec")
        if isinstance(template_spec, dict):
            _default_pod_spec(template_spec)
    elif res.plural == "pods" and isinstance(spec, dict):
        _default_pod_spec(spec)
        obj.setdefault("status", {"phase": "Pending"})
    elif res.plural == "namespaces":
        obj.setdefault("spec", {"finalizers": ["kubernetes"]})
        obj.setdefault("status", {"phase": "Active"})
    elif res.plural == "horizontalpodautoscalers" and isinstance(spec, dict):
        spec.setdefault("minReplicas", 1)
        if not spec.get("metrics"):
            spec["metrics"] = [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    elif res.plural == "services" and isinstance(spec, dict):
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for port in spec.get("ports") or []:
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))


#: The int32 fields of each kind's spec that ``check_types`` checks.
_INT32_FIELDS = {
    "deployments": ("replicas",),
    "replicasets": ("replicas",),
    "horizontalpodautoscalers": ("minReplicas", "maxReplicas"),
}


def check_types(res: Resource, obj: Any) -> None:
    """Raise ``ApiError`` 400 when ``obj`` cannot be decoded as ``res``'s kind."""
    prefix = f'{res.kind} in version "{res.version}" cannot be handled as a {res.kind}: json: '
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata", {}), dict):
        raise bad_request(prefix + f"cannot unmarshal into Go value of type {res.kind}")
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    for name in _INT32_FIELDS.get(res.plural, ()):
        value = spec.get(name)
        go_field = f"Go struct field {res.kind}Spec.spec.{name} of type int32"
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            kind = "string" if isinstance(value, str) else "number"
            shown = f" {value}" if kind == "number" else ""
            raise bad_request(prefix + f"cannot unmarshal {kind}{shown} into {go_field}")
        if isinstance(value, int) and abs(value) > _INT32_MAX:
            raise bad_request(prefix + f"cannot unmarshal number {value} into {go_field}")


def _name_causes(res: Resource, meta: Manifest) -> list[Cause]:
    name = meta.get("name")
    if not name:
        return [("FieldValueRequired", "metadata.name",
                 "Required value: name or generateName is required")]
    pattern = _LABEL if res.plural in ("services", "namespaces") else _SUBDOMAIN
    if not pattern.match(name) or len(name) > 253:
        what = "RFC 1035 label" if pattern is _LABEL else "RFC 1123 subdomain"
        return [("FieldValueInvalid", "metadata.name",
                 f"Invalid value: {_go(name)}: a lowercase {what} must consist of lower case "
                 "alphanumeric characters or '-'")]
    return []


def _container_causes(path: str, spec: Manifest) -> list[Cause]:
    containers = spec.get("containers")
    if not containers:
        return [("FieldValueRequired", f"{path}.containers", "Required value")]
    causes: list[Cause] = []
    for i, container in enumerate(containers):
        where = f"{path}.containers[{i}]"
        if not container.get("name"):
            causes.append(("FieldValueRequired", f"{where}.name", "Required value"))
        if not container.get("image"):
            causes.append(("FieldValueRequired", f"{where}.image", "Required value"))
    return causes


def _workload_causes(spec: Manifest, old: Manifest | None) -> list[Cause]:
    causes: list[Cause] = []
    replicas = spec.get("replicas", 1)
    if isinstance(replicas, int) and replicas < 0:
        causes.append(("FieldValueInvalid", "spec.replicas",
                       f"Invalid value: {replicas}: must be greater than or equal to 0"))
    limit = spec.get("revisionHistoryLimit")
    if isinstance(limit, int) and limit < 0:
        causes.append(("FieldValueInvalid", "spec.revisionHistoryLimit",
                       f"Invalid value: {limit}: must be greater than or equal to 0"))
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not spec.get("selector"):
        causes.append(("FieldValueRequired", "spec.selector", "Required value"))
    elif any(labels.get(k) != v for k, v in selector.items()):
        causes.append(("FieldValueInvalid", "spec.template.metadata.labels",
                       f"Invalid value: {_go(labels)}: `selector` does not match template "
                       "`labels`"))
    if old is not None and spec.get("selector") != (old.get("spec") or {}).get("selector"):
        causes.append(("FieldValueInvalid", "spec.selector",
                       f"Invalid value: {_go(selector)}: field is immutable"))
    strategy = (spec.get("strategy") or {}).get("type", "RollingUpdate")
    if strategy not in ("RollingUpdate", "Recreate"):
        causes.append(("FieldValueNotSupported", "spec.strategy.type",
                       f'Unsupported value: {_go(strategy)}: supported values: "Recreate", '
                       '"RollingUpdate"'))
    template_spec = (spec.get("template") or {}).get("spec") or {}
    return causes + _container_causes("spec.template.spec", template_spec)


def _hpa_causes(spec: Manifest) -> list[Cause]:
    causes: list[Cause] = []
    ref = spec.get("scaleTargetRef") or {}
    for field in ("kind", "name"):
        if not ref.get(field):
            causes.append(("FieldValueRequired", f"spec.scaleTargetRef.{field}",
                           "Required value"))
    minimum, maximum = spec.get("minReplicas", 1), spec.get("maxReplicas", 0)
    if isinstance(minimum, int) and minimum < 1:
        causes.append(("FieldValueInvalid", "spec.minReplicas",
                       f"Invalid value: {minimum}: must be greater than or equal to 1"))
    if isinstance(maximum, int) and maximum < 1:
        causes.append(("FieldValueInvalid", "spec.maxReplicas",
                       f"Invalid value: {maximum}: must be greater than 0"))
    elif isinstance(minimum, int) and isinstance(maximum, int) and maximum < minimum:
        causes.append(("FieldValueInvalid", "spec.maxReplicas",
                       f"Invalid value: {maximum}: must be greater than or equal to "
                       "`minReplicas`"))
    return causes


def _pod_update_causes(spec: Manifest, old: Manifest) -> list[Cause]:
    def comparable(s: Manifest) -> Manifest:
        s = {k: v for k, v in s.items() if k not in ("activeDeadlineSeconds", "tolerations")}
        s["containers"] = [{**c, "image": ""} for c in s.get("containers") or []]
        s["initContainers"] = [{**c, "image": ""} for c in s.get("initContainers") or []]
        if not old.get("nodeName"):
            s.pop("nodeName", None)
        return s

    if comparable(spec) != comparable(old):
        return [("FieldValueForbidden", "spec", f"Forbidden: {_POD_UPDATE_FORBIDDEN}")]
    return []


def validate(res: Resource, obj: Manifest, old: Manifest | None = None) -> None:
    """Raise ``ApiError`` 422 Invalid listing every field error in ``obj`` (an update
    of ``old`` when given); return quietly when it is valid."""
    meta = obj.get("metadata") or {}
    causes = _name_causes(res, meta) if old is None else []
    spec = obj.get("spec") or {}
    if res.plural in ("deployments", "replicasets"):
        causes += _workload_causes(spec, old)
    elif res.plural == "pods":
        if old is None:
            causes += _container_causes("spec", spec)
        else:
            causes += _pod_update_causes(spec, old.get("spec") or {})
    elif res.plural == "horizontalpodautoscalers":
        causes += _hpa_causes(spec)
    elif res.plural == "services":
        for i, port in enumerate(spec.get("ports") or []):
            number = port.get("port")
            if not isinstance(number, int) or not 0 < number < 65536:
                causes.append(("FieldValueInvalid", f"spec.ports[{i}].port",
                               f"Invalid value: {_go(number)}: must be between 1 and 65535, "
                               "inclusive"))
    if causes:
        raise invalid(res, meta.get("name", ""), causes)


def validate_scale(name: str, replicas: Any) -> None:
    """Raise ``ApiError`` for a Scale whose ``spec.replicas`` the server refuses."""
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        raise bad_request(
            'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal '
            f"{type(replicas).__name__} into Go struct field ScaleSpec.spec.replicas of type int32"
        )
    if replicas < 0:
        scale = Resource("scale", "scale", "Scale", "autoscaling", True)
        raise invalid(scale, name, [("FieldValueInvalid", "spec.replicas",
                                     f"Invalid value: {replicas}: must be greater than or "
                                     "equal to 0")])

