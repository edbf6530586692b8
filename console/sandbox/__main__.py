"""``python -m console.sandbox``: serve the sandbox until interrupted."""

from __future__ import annotations

import sys

from console.sandbox.process import serve_forever

if __name__ == "__main__":
    sys.exit(serve_forever())
