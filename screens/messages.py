"""Messages that travel between the app and its screens (a widget's own messages are
nested in its class instead)."""

from __future__ import annotations

from textual.message import Message

from console.health import BackendHealth


class BackendHealthChanged(Message):
    """A connection worker's news about one backend (``kubernetes``, ``prometheus``
    or ``docker``); the app mirrors it into the reactive the header watches."""

    def __init__(self, backend: str, health: BackendHealth) -> None:
        super().__init__()
        self.backend = backend
        self.health = health
