"""A one-line prompt with a history recalled by up/down (the ad-hoc PromQL prompt,
the custom time range prompt)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

from console.history import History
from screens.widgets.focus import focus_now


class HistoryInput(Input):
    """An ``Input`` whose submitted values are recalled with up (older) and down
    (newer); ``escape`` hides it and posts ``Closed``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "older", "Older", show=False, id="prompt.older"),
        Binding("down", "newer", "Newer", show=False, id="prompt.newer"),
        Binding("escape", "close", "Close", show=False, id="prompt.close"),
    ]

    DEFAULT_CSS = """
    HistoryInput { display: none; dock: bottom; }
    HistoryInput.-open { display: block; }
    """

    def __init__(self, placeholder: str, *, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self.history = History()

    def open(self, value: str = "") -> None:
        """Show the prompt with ``value`` and focus it."""
        self.value = value
        self.cursor_position = len(value)
        self.add_class("-open")
        focus_now(self)  # keys typed right after the one that opened it are its text

    def close(self) -> None:
        """Hide the prompt (its value is kept)."""
        self.remove_class("-open")

    def remember(self, value: str) -> None:
        """Add ``value`` to the history (the screen calls it for accepted values)."""
        self.history.add(value)

    def action_older(self) -> None:
        """Recall the previous entry."""
        entry = self.history.older()
        if entry is not None:
            self.value = entry
            self.cursor_position = len(entry)

    def action_newer(self) -> None:
        """Recall the next entry (an empty line after the newest)."""
        self.value = self.history.newer()
        self.cursor_position = len(self.value)

    def action_close(self) -> None:
        """Hide the prompt and tell the screen."""
        self.close()
        self.post_message(self.Closed(self))

    class Closed(Message):
        """The prompt was closed with ``escape`` without submitting."""

        def __init__(self, prompt: HistoryInput) -> None:
            super().__init__()
            self.prompt = prompt

        @property
        def control(self) -> HistoryInput:
            return self.prompt
