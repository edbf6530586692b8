"""The namespace switcher: pick one namespace, or all, from the live NAMESPACE store."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from console.models import KubeObject
from console.state import ChangeSet, ResourceStore

ALL = "all namespaces"


class NamespacePicker(ModalScreen[str | None]):
    """Dismisses with the chosen namespace ("" for all namespaces) or None if cancelled.

    Typing narrows the list; ``up``/``down`` move in it; ``enter`` chooses.
    """

    CSS_PATH = "namespace_picker.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
    ]

    def __init__(self, store: ResourceStore[KubeObject] | None, current: str) -> None:
        super().__init__()
        self._store = store
        self._current = current
        self._choices: list[str] = []
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Namespace", id="title")
            yield Input(placeholder="type to narrow", id="search", compact=True)
            yield OptionList(id="namespaces")

    def on_mount(self) -> None:
        if self._store is not None:
            self._unsubscribe = self._store.subscribe(self._on_store_changed)
        self._fill(select=self._current)
        self.query_one("#search", Input).focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _on_store_changed(
        self, store: ResourceStore[KubeObject], changes: ChangeSet[KubeObject]
    ) -> None:
        if changes:
            self._fill(select=self._highlighted())

    def _namespaces(self) -> list[str]:
        names = sorted(self._store.items) if self._store is not None else []
        if self._current and self._current not in names:
            names.append(self._current)
        return names

    def _fill(self, select: str | None) -> None:
        """List "all namespaces" and every namespace containing the search text,
        keeping ``select`` highlighted when it is still listed."""
        needle = self.query_one("#search", Input).value.strip().lower()
        names = [n for n in self._namespaces() if needle in n.lower()]
        self._choices = ([""] if not needle or needle in ALL else []) + names
        options = self.query_one("#namespaces", OptionList)
        options.set_options(Option(name or ALL) for name in self._choices)
        if self._choices:
            index = self._choices.index(select) if select in self._choices else 0
            options.highlighted = index

    def _highlighted(self) -> str | None:
        index = self.query_one("#namespaces", OptionList).highlighted
        return self._choices[index] if index is not None and index < len(self._choices) else None

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(select=self._highlighted())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        chosen = self._highlighted()
        if chosen is not None:
            self.dismiss(chosen)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choices[event.option_index])

    def action_move(self, delta: int) -> None:
        """Move the highlight in the list while typing in the search box."""
        options = self.query_one("#namespaces", OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()
