"""Run every benchmark and print its figures: ``python -m bench`` (or ``make bench``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench

SKIP = {"terminal", "__main__"}


def main() -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name not in SKIP)
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"== bench.{name}", flush=True)
        module.main()  # type: ignore[attr-defined]
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
