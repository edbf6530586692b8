"""The Kubernetes adapter defers its SDK: importing it loads neither ``kubernetes``
nor Textual, so the console's first frame paints before the client has loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_importing_the_kubernetes_adapter_loads_no_sdk_and_no_textual() -> None:
    loaded = loaded_after_import("adapters.kubernetes")
    assert "adapters.kubernetes" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("kubernetes", "urllib3", "textual")}
