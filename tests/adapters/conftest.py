"""Fixtures of the adapter tests.

Kubernetes: ``kube_config`` (a kubeconfig for the session's sandbox), ``kube`` (a
connected ``KubernetesAdapter``, closed afterwards) and ``ns`` (a namespace of the
test's own, so tests stay independent on the shared sandbox).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.base import Kind
from adapters.kubernetes import KubernetesAdapter
from tests.adapters.kube_support import create, unique


@pytest.fixture
def kube_config(sandbox: Any, tmp_path: Path) -> str:
    path = tmp_path / "kubeconfig"
    sandbox.write_kubeconfig(path)
    return str(path)


@pytest.fixture
async def kube(kube_config: str) -> AsyncIterator[KubernetesAdapter]:
    adapter = KubernetesAdapter(kubeconfig=kube_config, request_timeout=5.0)
    await adapter.connect()
    yield adapter
    await adapter.close()


@pytest.fixture
async def ns(kube: KubernetesAdapter) -> str:
    name = unique("t")
    await create(kube, Kind.NAMESPACE, None, {"metadata": {"name": name}})
    return name
