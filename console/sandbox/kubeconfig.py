"""The kubeconfig that points kubectl (or any client) at the sandbox's Kubernetes face."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

NAME = "sandbox"


def build(server: str, *, namespace: str = "default") -> dict[str, Any]:
    """A kubeconfig whose cluster, user and context are all named ``sandbox``,
    reaching ``server`` over plain http with no credentials."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": NAME, "cluster": {"server": server}}],
        "users": [{"name": NAME, "user": {}}],
        "contexts": [{"name": NAME, "context": {"cluster": NAME, "user": NAME,
                                                "namespace": namespace}}],
        "current-context": NAME,
    }


def write(config: dict[str, Any], path: str | Path) -> Path:
    """Write ``config`` to ``path`` with mode 0600 (created or replaced); returns
    the path. Raises ``OSError`` when it cannot be written.

    The file is JSON, which is YAML too: kubectl and the Python client read it
    as any kubeconfig, and the sandbox does not import a YAML library to start.
    """
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
        handle.write("\n")
    os.chmod(target, 0o600)
    return target
