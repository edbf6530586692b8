"""The ``?`` screen: every key the screen below answers to, with what it does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label


@dataclass(frozen=True, slots=True)
class KeyHelp:
    """One line of help: the keys (``up, k``), what they do, where they apply, and the
    ``action`` string that ``node.run_action`` runs (the command palette uses it)."""

    keys: str
    description: str
    scope: str
    node: DOMNode = field(compare=False)
    action: str = field(compare=False)


def describe_bindings(app: App[Any], screen: Screen[Any]) -> list[KeyHelp]:
    """Every binding active on ``screen`` with a description, hidden ones included,
    keys of the same action merged: the screen's own first, then the app's, then
    the focused widget's (cursor movement and the like)."""
    merged: dict[tuple[str, str], tuple[list[str], DOMNode]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        keys, _ = merged.setdefault((binding.action, binding.description), ([], active.node))
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    lines = [
        KeyHelp(", ".join(keys), description, _scope(app, node), node, action)
        for (action, description), (keys, node) in merged.items()
    ]
    rank = {"this screen": 0, "everywhere": 1}
    return sorted(lines, key=lambda line: rank.get(line.scope, 2))


def _scope(app: App[Any], node: DOMNode) -> str:
    if node is app:
        return "everywhere"
    if isinstance(node, Screen):
        return "this screen"
    return node.id or type(node).__name__


class HelpScreen(ModalScreen[None]):
    """A scrollable table of keys; any of ``escape``, ``?`` or ``q`` closes it."""

    CSS_PATH = "help.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, lines: Iterable[KeyHelp]) -> None:
        super().__init__()
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Keys", id="title")
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True, id="keys")
            table.add_columns("Key", "Does", "Where")
            for line in self.lines:
                table.add_row(line.keys, line.description, line.scope)
            yield table
            yield Label("esc closes · ctrl+p searches every command", id="hint")
