"""A modal list to pick one name from: type to narrow, arrows to move, enter to choose.

``Picker`` is the shape; ``NamespacePicker`` (screens/namespace_picker.py) fills it
from the live namespace store, ``ContextPicker`` (screens/context_picker.py) from the
kubeconfig's contexts.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class Picker(ModalScreen[str | None]):
    """Dismisses with the chosen name or None if cancelled.

    ``names()`` is what can be chosen; ``everything`` (when not "") is offered first
    and chosen as "" (e.g. "all namespaces"); ``current`` is highlighted on opening.
    Subclasses call ``refill()`` when their names change.
    """

    CSS_PATH = "picker.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
    ]

    def __init__(self, title: str, current: str, *, everything: str = "") -> None:
        super().__init__()
        self._title = title
        self._current = current
        self._everything = everything
        self._choices: list[str] = []

    def names(self) -> list[str]:
        """The names to choose from, in the order shown."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title, id="title")
            yield Input(placeholder="type to narrow", id="search", compact=True)
            yield OptionList(id="choices")

    def on_mount(self) -> None:
        self._fill(select=self._current)
        self.query_one("#search", Input).focus()

    def refill(self) -> None:
        """List the names again, keeping the highlighted one where it still is."""
        self._fill(select=self._highlighted())

    def _listed(self) -> list[str]:
        names = self.names()
        if self._current and self._current not in names:
            names.append(self._current)
        return names

    def _fill(self, select: str | None) -> None:
        """List ``everything`` and every name containing the search text, keeping
        ``select`` highlighted when it is still listed."""
        needle = self.query_one("#search", Input).value.strip().lower()
        names = [n for n in self._listed() if needle in n.lower()]
        offer_all = self._everything and (not needle or needle in self._everything)
        self._choices = ([""] if offer_all else []) + names
        options = self.query_one("#choices", OptionList)
        options.set_options(Option(name or self._everything) for name in self._choices)
        if self._choices:
            index = self._choices.index(select) if select in self._choices else 0
            options.highlighted = index

    def _highlighted(self) -> str | None:
        index = self.query_one("#choices", OptionList).highlighted
        return self._choices[index] if index is not None and index < len(self._choices) else None

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        chosen = self._highlighted()
        if chosen is not None:
            self.dismiss(chosen)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choices[event.option_index])

    def action_move(self, delta: int) -> None:
        """Move the highlight in the list while typing in the search box."""
        options = self.query_one("#choices", OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()
