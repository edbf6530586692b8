"""The context switcher: pick one of the kubeconfig's contexts, and what the console
shows while it reconnects."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from screens.picker import Picker
from screens.widgets.header import ConsoleHeader
from screens.widgets.steady_footer import SteadyFooter


class ContextPicker(Picker):
    """Dismisses with the chosen context's name or None if cancelled."""

    def __init__(self, contexts: Sequence[str], current: str) -> None:
        super().__init__("Kubernetes context", current)
        self._contexts = list(contexts)

    def names(self) -> list[str]:
        return list(self._contexts)


class SwitchingContext(Screen[None]):
    """Shown for the moment the areas are rebuilt for another context."""

    DEFAULT_CSS = """
    SwitchingContext { align: center middle; }
    SwitchingContext #switching { width: auto; color: $text-muted; }
    """

    def __init__(self, context: str) -> None:
        super().__init__()
        self._target = context

    def compose(self) -> ComposeResult:
        yield ConsoleHeader()
        yield Static(f"Switching to context {self._target}…", id="switching", markup=False)
        yield SteadyFooter()
