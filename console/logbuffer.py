"""The logs view's memory: a bounded buffer of lines, a live regex filter, error marks.

The buffer keeps the newest ``max_lines`` lines and counts those it dropped. A
filter is applied once per line as it arrives (so it keeps up with a fast
stream) and once over the buffer when the pattern changes. While paused,
arriving lines wait in a queue and join the buffer on resume; the buffer and the
queue together never hold more than ``max_lines``: the lines that would fall off
the front on resume fall off as the queue grows, counted as dropped like any other.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from console.validation import ValidationError

__all__ = ["LogBuffer", "LogLine", "compile_filter", "looks_like_error"]

MAX_LINES = 10_000

_ERROR = re.compile(
    r"\b(error|err|exception|fatal|panic|traceback|failed|failure|critical|oomkilled)\b",
    re.IGNORECASE,
)


def looks_like_error(text: str) -> bool:
    """Whether a log line reports an error (error, exception, fatal, panic, …)."""
    return _ERROR.search(text) is not None


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of one pod's container. ``source`` is the pod's index among the
    pods of the view (it picks the prefix colour)."""

    pod: str
    text: str
    source: int = 0
    error: bool = False

    @classmethod
    def of(cls, pod: str, text: str, source: int = 0) -> LogLine:
        """A line with its error mark computed."""
        return cls(pod, text, source, looks_like_error(text))


def compile_filter(pattern: str) -> re.Pattern[str] | None:
    """The case-insensitive regex for ``pattern`` (None for an empty one).

    Raises ``ValidationError`` naming the position of the syntax error.
    """
    if not pattern:
        return None
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        where = f" at position {exc.pos + 1}" if exc.pos is not None else ""
        raise ValidationError(f"not a regular expression: {exc.msg}{where}") from exc


class LogBuffer:
    """The newest ``max_lines`` lines, the filtered view of them, and a pause queue."""

    def __init__(self, max_lines: int = MAX_LINES) -> None:
        self.max_lines = max_lines
        self.lines: deque[LogLine] = deque(maxlen=max_lines)
        #: The lines the filter keeps, in order (all lines when there is no filter).
        self.shown: deque[LogLine] = deque(maxlen=max_lines)
        #: Lines that arrived and are no longer held (fell off the front of the
        #: buffer, or of the pause queue).
        self.dropped = 0
        #: Shown lines that ever fell off the front of ``shown`` (never reset), so a
        #: view can keep its place while the lines above it go.
        self.trimmed = 0
        self.paused = False
        self._waiting: deque[LogLine] = deque(maxlen=max_lines)
        self._filter: re.Pattern[str] | None = None

    @property
    def waiting(self) -> int:
        """Lines held back while paused."""
        return len(self._waiting)

    @property
    def filter(self) -> re.Pattern[str] | None:
        """The compiled filter (None when every line is shown)."""
        return self._filter

    @property
    def pattern(self) -> str:
        """The filter's text ("" when every line is shown)."""
        return self._filter.pattern if self._filter else ""

    def extend(self, lines: Iterable[LogLine]) -> int:
        """Add lines, oldest first (held back while paused), dropping the oldest held
        beyond ``max_lines``. Returns how many became shown."""
        arrived = list(lines)
        if self.paused:
            # The queue's own maxlen drops its oldest lines when it alone overflows.
            self.dropped += max(0, len(self._waiting) + len(arrived) - self.max_lines)
            self._waiting.extend(arrived)
            self._drop_oldest(len(self.lines) + len(self._waiting) - self.max_lines)
            return 0
        if len(arrived) > self.max_lines:
            self.dropped += len(arrived) - self.max_lines
            arrived = arrived[-self.max_lines :]
        self._drop_oldest(len(self.lines) + len(arrived) - self.max_lines)
        keep = self._filter.search if self._filter else None
        kept = arrived if keep is None else [line for line in arrived if keep(line.text)]
        self.lines.extend(arrived)
        self.shown.extend(kept)
        return len(kept)

    def _drop_oldest(self, count: int) -> None:
        """Drop up to ``count`` lines from the front of the buffer."""
        lines, shown = self.lines, self.shown
        for _ in range(min(count, len(lines))):
            oldest = lines.popleft()
            if shown and shown[0] is oldest:
                shown.popleft()
                self.trimmed += 1
            self.dropped += 1

    def set_filter(self, pattern: str) -> None:
        """Show only lines matching ``pattern`` (all for ""). Raises
        ``ValidationError`` for a bad pattern, leaving the old filter in place."""
        self._filter = compile_filter(pattern)
        keep = self._filter.search if self._filter else None
        self.shown = deque(
            (line for line in self.lines if keep is None or keep(line.text)),
            maxlen=self.max_lines,
        )

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> int:
        """Stop holding lines back; the held lines join the buffer. Returns how many
        became shown."""
        self.paused = False
        waiting, self._waiting = list(self._waiting), deque(maxlen=self.max_lines)
        return self.extend(waiting)

    def clear(self) -> None:
        """Forget every line (a new stream starts), keeping the filter."""
        self.lines.clear()
        self.shown.clear()
        self._waiting.clear()
        self.dropped = 0

    def save(self, path: Path, *, with_pod: bool) -> int:
        """Write the shown lines to ``path`` (created or replaced, UTF-8), each with
        its ``pod`` prefix when ``with_pod``. Returns the number of lines written;
        raises ``OSError``."""
        with path.open("w", encoding="utf-8") as handle:
            for line in self.shown:
                handle.write(f"{line.pod} {line.text}\n" if with_pod else f"{line.text}\n")
        return len(self.shown)
