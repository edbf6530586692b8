"""Only the app and CLI modules may load Textual, and no SDK loads at import time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

TEXTUAL_FREE = [
    "console.models",
    "console.state",
    "console.config",
    "console.health",
    "console.humanize",
    "adapters.base",
    *sorted(f"adapters.{p.stem}" for p in (ROOT / "adapters").glob("*.py") if p.stem != "__init__"),
]


def loaded_after_import(module: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after importing ``module`` in a fresh
    interpreter."""
    code = (
        f"import importlib, json, sys; importlib.import_module({module!r}); "
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("module", TEXTUAL_FREE)
def test_importing_a_non_ui_module_does_not_load_textual(module: str) -> None:
    assert "textual" not in loaded_after_import(module)


def test_importing_the_app_defers_every_backend_sdk() -> None:
    loaded = loaded_after_import("console.app")
    assert "textual" in loaded
    assert not loaded & {"kubernetes", "docker", "prometheus_api_client"}


def test_the_first_screen_loads_nothing_it_does_not_draw() -> None:
    """What the first frame imports is paid by every launch: the Deployments screen
    and the app leave YAML, HTTP and the operation screens for later."""
    loaded = loaded_after_import("screens.deployments") | loaded_after_import("console.launch")
    assert not loaded & {"yaml", "aiohttp", "kubernetes", "docker", "plotext"}
