"""``KubernetesAdapter.preload`` imports the SDK ahead of ``connect`` and touches no
server, so a console waiting for its sandbox can load the client meanwhile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRELOAD = """
import asyncio, sys
from adapters.kubernetes import KubernetesAdapter
adapter = KubernetesAdapter(kubeconfig="/nonexistent/kubeconfig", context="sandbox")
assert "kubernetes" not in sys.modules
asyncio.run(adapter.preload())
print("kubernetes.client" in sys.modules, "kubernetes.config" in sys.modules,
      adapter.server or "-")
"""


def test_preload_imports_the_sdk_without_reading_the_kubeconfig_or_connecting() -> None:
    out = subprocess.run([sys.executable, "-c", PRELOAD], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["True", "True", "-"]
