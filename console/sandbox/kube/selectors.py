"""Label and field selectors, parsed and matched as the API server does.

Label selectors support ``=``, ``==``, ``!=``, ``in (...)``, ``notin (...)``,
``key`` (exists) and ``!key`` (does not exist). Field selectors support ``=``,
``==`` and ``!=`` on the fields each kind indexes (``metadata.name``,
``metadata.namespace``, ``spec.nodeName``, ``status.phase``, ...); any other field
is refused, as the real server refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from console.sandbox.kube.status import ApiError, bad_request

Manifest = dict[str, Any]
Predicate = Callable[[Manifest], bool]

_SET_TERM = re.compile(r"^\s*(\S+?)\s+(in|notin)\s*\((.*)\)\s*$")
_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")

_COMMON_FIELDS = ("metadata.name", "metadata.namespace")
_FIELDS: dict[str, tuple[str, ...]] = {
    "pods": (
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
    ),
    "nodes": ("spec.unschedulable",),
    "namespaces": ("status.phase",),
    "replicasets": ("status.replicas",),
    "events": (
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
    ),
}
_FIELD_DEFAULTS = {"spec.hostNetwork": "false", "spec.unschedulable": "false"}


def _split_terms(text: str) -> list[str]:
    """Split at commas that are not inside a ``( ... )`` value set."""
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return [t.strip() for t in terms if t.strip()]


def _check(key: str, values: list[str], term: str) -> None:
    if not _KEY.match(key):
        raise bad_request(f"unable to parse requirement: invalid label key {key!r} in {term!r}")
    for value in values:
        if len(value) > 63 or not _VALUE.match(value):
            raise bad_request(
                f"unable to parse requirement: invalid label value {value!r} in {term!r}"
            )


def _label_term(term: str) -> Callable[[Mapping[str, str]], bool]:
    if m := _SET_TERM.match(term):
        key, op = m.group(1), m.group(2)
        values = {v.strip() for v in m.group(3).split(",") if v.strip()}
        _check(key, sorted(values), term)
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if term.startswith("!"):
        key = term[1:].strip()
        _check(key, [], term)
        return lambda labels: key not in labels
    for op in ("!=", "==", "="):
        if op in term:
            key, value = (part.strip() for part in term.split(op, 1))
            _check(key, [value], term)
            if op == "!=":
                return lambda labels: labels.get(key) != value
            return lambda labels: labels.get(key) == value
    _check(term, [], term)
    return lambda labels: term in labels


def label_selector(text: str | None) -> Predicate | None:
    """A predicate over manifests for ``labelSelector`` text, or None when empty.
    Raises ``ApiError`` (400 BadRequest) on a malformed selector."""
    if not text or not text.strip():
        return None
    tests = [_label_term(term) for term in _split_terms(text)]

    def matches(obj: Manifest) -> bool:
        labels = obj.get("metadata", {}).get("labels") or {}
        return all(test(labels) for test in tests)

    return matches


def field_value(obj: Manifest, path: str) -> str:
    """The string value of a selectable field (``""`` when absent)."""
    if path == "source":
        return str((obj.get("source") or {}).get("component", ""))
    node: Any = obj
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if node is None:
        return _FIELD_DEFAULTS.get(path, "")
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def field_selector(kind: str, text: str | None) -> Predicate | None:
    """A predicate for ``fieldSelector`` text on ``kind``, or None when empty.
    Raises ``ApiError`` (400 BadRequest) for an unsupported field or operator."""
    if not text or not text.strip():
        return None
    allowed = _COMMON_FIELDS + _FIELDS.get(kind, ())
    tests: list[tuple[str, bool, str]] = []
    for term in _split_terms(text):
        for op in ("!=", "==", "="):
            if op in term:
                path, value = (part.strip() for part in term.split(op, 1))
                break
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        if path not in allowed:
            raise ApiError("BadRequest", f'field label not supported: {path}')
        tests.append((path, op == "!=", value))

    def matches(obj: Manifest) -> bool:
        return all((field_value(obj, path) == value) != negate for path, negate, value in tests)

    return matches


def combine(*predicates: Predicate | None) -> Predicate | None:
    """One predicate requiring every given one (None when there are none)."""
    active = [p for p in predicates if p is not None]
    if not active:
        return None
    if len(active) == 1:
        return active[0]
    return lambda obj: all(p(obj) for p in active)
