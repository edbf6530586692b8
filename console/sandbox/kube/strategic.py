"""Strategic merge patch, for the core/v1 and apps/v1 fields kubectl patches.

Maps merge recursively and ``null`` deletes a key, as in a merge patch; lists that
the Kubernetes types declare ``patchStrategy: merge`` merge element-wise by their
merge key (containers, env and volumes by ``name``, volumeMounts by ``mountPath``,
...) or, for lists of scalars such as ``finalizers``, as a set. Every other list is
replaced. The directives kubectl emits are honoured: ``$patch: replace|delete`` in
maps and list elements, ``$retainKeys``, ``$setElementOrder/<field>`` and
``$deleteFromPrimitiveList/<field>``.
"""

from __future__ import annotations

import copy
from typing import Any

from console.sandbox.kube.status import bad_request

_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "ownerReferences": "uid",
    "conditions": "type",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
}
_SET_LISTS = frozenset({"finalizers"})
_ORDER = "$setElementOrder/"
_DELETE_FROM = "$deleteFromPrimitiveList/"


def _merge_key(field: str, parent: str) -> str | None:
    if field == "ports":
        return "containerPort" if parent in _MERGE_KEYS else "port"
    return _MERGE_KEYS.get(field)


def _merge_list(field: str, parent: str, original: Any, patch: list[Any]) -> list[Any]:
    base = copy.deepcopy(original) if isinstance(original, list) else []
    if any(isinstance(e, dict) and e.get("$patch") == "replace" for e in patch):
        return [copy.deepcopy(e) for e in patch if not (isinstance(e, dict) and "$patch" in e)]
    if field in _SET_LISTS:
        return base + [v for v in patch if v not in base]
    key = _merge_key(field, parent)
    if key is None:
        return copy.deepcopy(patch)
    for element in patch:
        if not isinstance(element, dict) or key not in element:
            raise bad_request(f"map: {element!r} does not contain declared merge key: {key}")
        index = next((i for i, e in enumerate(base) if isinstance(e, dict)
                      and e.get(key) == element[key]), None)
        if element.get("$patch") == "delete":
            if index is not None:
                base.pop(index)
        elif index is None:
            base.append(_strip_directives(element))
        else:
            base[index] = _merge_map(base[index], element, field)
    return base


def _strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_directives(v) for k, v in value.items()
                if not k.startswith("$") and v is not None}
    if isinstance(value, list):
        return [_strip_directives(v) for v in value]
    return copy.deepcopy(value)


def _reorder(items: list[Any], order: list[Any], key: str | None) -> list[Any]:
    def ident(item: Any) -> Any:
        return item.get(key) if key and isinstance(item, dict) else item

    wanted = [ident(o) for o in order]
    ranked = sorted(
        range(len(items)),
        key=lambda i: (wanted.index(ident(items[i])) if ident(items[i]) in wanted
                       else len(wanted), i),
    )
    return [items[i] for i in ranked]


def _merge_map(original: Any, patch: dict[str, Any], field: str = "") -> dict[str, Any]:
    if patch.get("$patch") == "replace":
        replaced: dict[str, Any] = _strip_directives(patch)
        return replaced
    result: dict[str, Any] = copy.deepcopy(original) if isinstance(original, dict) else {}
    for name, value in patch.items():
        if name.startswith(_DELETE_FROM):
            target = name[len(_DELETE_FROM):]
            result[target] = [v for v in result.get(target) or [] if v not in value]
        elif name.startswith("$"):
            continue
        elif value is None:
            result.pop(name, None)
        elif isinstance(value, dict):
            if value.get("$patch") == "delete":
                result.pop(name, None)
            else:
                result[name] = _merge_map(result.get(name), value, name)
        elif isinstance(value, list):
            result[name] = _merge_list(name, field, result.get(name), value)
        else:
            result[name] = copy.deepcopy(value)
    for name, order in patch.items():
        if name.startswith(_ORDER) and isinstance(result.get(name[len(_ORDER):]), list):
            target = name[len(_ORDER):]
            result[target] = _reorder(result[target], order, _merge_key(target, field))
    if isinstance(patch.get("$retainKeys"), list):
        keep = set(patch["$retainKeys"])
        result = {k: v for k, v in result.items() if k in keep}
    return result


def strategic_merge(original: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """``original`` with the strategic merge ``patch`` applied (a new document).
    Raises ``ApiError`` 400 when a merge-list element lacks its merge key."""
    return _merge_map(original, patch)
