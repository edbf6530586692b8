"""The ``/`` filter line above a table.

Hidden until opened. Typing posts ``Input.Changed`` (the screen narrows its table
live); ``enter`` keeps the filter and hands focus back; ``escape`` clears it and
hides the line. Either way the bar posts ``FilterBar.Closed``.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

from screens.widgets.focus import focus_now


class FilterBar(Input):
    """A one-line filter input that shows itself only while open or non-empty."""

    DEFAULT_CSS = """
    FilterBar {
        display: none;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
        &.-open { display: block; }
        &:focus { border: none; background-tint: $foreground 8%; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_filter", "Clear filter", id="filter.clear"),
    ]

    class Closed(Message):
        """The operator left the filter line (its value may still filter the table)."""

    def __init__(self, placeholder: str, *, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, compact=True, select_on_focus=False)

    def open(self) -> None:
        """Show the line and put the cursor in it."""
        self.add_class("-open")
        focus_now(self)  # keys typed right after the one that opened it are its text

    def action_clear_filter(self) -> None:
        """Clear the filter, hide the line and post ``Closed``."""
        self.value = ""
        self.remove_class("-open")
        self.post_message(self.Closed())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.set_class(bool(self.value), "-open")
        self.post_message(self.Closed())
