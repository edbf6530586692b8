"""The build history: one JSON line per finished build, kept in the user's data directory.

``BuildHistory`` appends a ``BuildRecord`` when a build ends (succeeded, failed
or cancelled) and reads the newest ``limit`` back, skipping a line torn by a
crash. When the file holds twice the limit it is rewritten with only the newest
``limit`` records (to a temporary file, then renamed over the old one), so it
stays small however long the console is used.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = ["BuildHistory", "BuildRecord", "BuildResult", "default_history_path"]

BuildResult = Literal["succeeded", "failed", "cancelled"]

#: Records kept by default.
DEFAULT_LIMIT = 200


def default_history_path() -> Path:
    """``<user data dir>/builds.jsonl`` (platformdirs' ``user_data_dir("opsconsole")``)."""
    return Path(platformdirs.user_data_dir("opsconsole")) / "builds.jsonl"


class BuildRecord(BaseModel):
    """One finished build as the history table shows it. Unknown keys are ignored
    when reading, so an older console reads a newer file."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    tags: tuple[str, ...] = ()
    context: str
    dockerfile: str = "Dockerfile"
    started: datetime
    #: Seconds from start to the last event.
    duration: float
    result: BuildResult
    #: The step that failed ("3/5 RUN make"), "" when none did.
    failed_step: str = ""
    #: The daemon's error, or why the build stopped.
    error: str = ""
    image_id: str = ""

    @property
    def key(self) -> str:
        """The stable id the history table keys its rows by."""
        return self.id


class BuildHistory:
    """The JSON Lines file at ``path`` holding the newest ``limit`` builds."""

    def __init__(self, path: Path | None = None, *, limit: int = DEFAULT_LIMIT) -> None:
        self.path = path or default_history_path()
        self.limit = limit
        self._lock = threading.Lock()

    def load(self) -> list[BuildRecord]:
        """The newest ``limit`` records, oldest first. Lines that are not a whole
        record (a write torn by a crash, a hand edit) are skipped. Returns [] when
        the file does not exist; raises ``OSError`` when it cannot be read."""
        with self._lock:
            return list(self._read(self.limit))

    def append(self, record: BuildRecord) -> None:
        """Add ``record`` as one line (after a newline if the last write was torn),
        creating the file and its directories when missing, and compact the file
        once it holds twice ``limit`` lines. Raises ``OSError``."""
        line = record.model_dump_json() + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+b") as handle:
                end = handle.seek(0, os.SEEK_END)
                if end:
                    handle.seek(end - 1)
                    if handle.read(1) != b"\n":
                        line = "\n" + line
                handle.write(line.encode())
            if self._line_count() >= 2 * self.limit:
                self._rewrite(list(self._read(self.limit)))

    def _read(self, newest: int) -> deque[BuildRecord]:
        records: deque[BuildRecord] = deque(maxlen=newest)
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return records
        with handle:
            for raw in handle:
                if not raw.strip():
                    continue
                try:
                    records.append(BuildRecord.model_validate_json(raw))
                except ValidationError:
                    continue
        return records

    def _line_count(self) -> int:
        with self.path.open("rb") as handle:
            return sum(1 for _ in handle)

    def _rewrite(self, records: list[BuildRecord]) -> None:
        """Replace the file with ``records`` atomically (temporary file, fsync, rename)."""
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".builds-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.writelines(record.model_dump_json() + "\n" for record in records)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
