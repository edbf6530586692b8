"""Manifests as an operator reads them: YAML without server bookkeeping, and diffs.

Used by the operation preview (before/after of a dry run), the rollback screen
(pod template of one revision against another) and the describe view.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from typing import Any

__all__ = ["readable", "strip_bookkeeping", "to_yaml", "unified_diff"]

#: Metadata the API server maintains; it changes on every write and hides the real change.
_BOOKKEEPING_METADATA = ("managedFields", "resourceVersion", "generation")


def strip_bookkeeping(manifest: Mapping[str, Any], *, keep_status: bool = False) -> dict[str, Any]:
    """A deep copy of ``manifest`` without ``metadata.managedFields``,
    ``resourceVersion`` and ``generation``, and without ``status`` unless
    ``keep_status``. The input is left untouched."""
    clean = copy.deepcopy(dict(manifest))
    metadata = clean.get("metadata")
    if isinstance(metadata, dict):
        for key in _BOOKKEEPING_METADATA:
            metadata.pop(key, None)
    if not keep_status:
        clean.pop("status", None)
    return clean


def readable(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest as the describe view shows it: only ``managedFields`` removed."""
    clean = copy.deepcopy(dict(manifest))
    metadata = clean.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)
    return clean


def to_yaml(data: Mapping[str, Any], *, sort_keys: bool = False) -> str:
    """Block-style YAML of ``data``, keys in their given order (or sorted, as kubectl
    prints them), unicode kept."""
    if not data:
        return ""
    # Imported on first use: the safety pipeline imports this module at start-up, and
    # PyYAML costs ~25 ms that the first frame need not pay.
    import yaml

    text: str = yaml.safe_dump(
        dict(data), sort_keys=sort_keys, default_flow_style=False, allow_unicode=True
    )
    return text


def unified_diff(
    before: Mapping[str, Any], after: Mapping[str, Any], *, from_label: str, to_label: str
) -> str:
    """A unified diff (3 lines of context) of the two mappings dumped as YAML with
    sorted keys, so that key order (which JSON does not keep) never shows as a change.

    Returns "" when they dump identically.
    """
    lines = difflib.unified_diff(
        to_yaml(before, sort_keys=True).splitlines(keepends=True),
        to_yaml(after, sort_keys=True).splitlines(keepends=True),
        fromfile=from_label,
        tofile=to_label,
    )
    return "".join(lines)
