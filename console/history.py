"""A prompt's history: entries recalled with up/down as a shell recalls commands."""

from __future__ import annotations


class History:
    """Entries oldest first (at most ``limit``, without consecutive repeats), and a
    position that ``older``/``newer`` move; ``add`` resets it past the newest."""

    def __init__(self, limit: int = 100) -> None:
        self.entries: list[str] = []
        self.limit = limit
        self._position = 0

    def add(self, entry: str) -> None:
        """Remember ``entry`` (blank entries and repeats of the newest are skipped)."""
        if entry.strip() and (not self.entries or self.entries[-1] != entry):
            self.entries.append(entry)
            del self.entries[: max(0, len(self.entries) - self.limit)]
        self._position = len(self.entries)

    def older(self) -> str | None:
        """The entry before the current one, or None at the oldest."""
        if self._position == 0:
            return None
        self._position -= 1
        return self.entries[self._position]

    def newer(self) -> str:
        """The entry after the current one; "" past the newest (a fresh line)."""
        self._position = min(len(self.entries), self._position + 1)
        return self.entries[self._position] if self._position < len(self.entries) else ""
