"""The scale dialog: asks for a replica count and checks it as it is typed.

Dismisses with the validated count, or None when cancelled. The preview, the
confirmation and the call itself follow in ``screens.operation_flow``.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from console.models import Deployment
from console.validation import ValidationError, parse_replicas

__all__ = ["ScaleScreen"]


class ScaleScreen(ModalScreen[int | None]):
    """Ask how many replicas ``deployment`` should run (0 to ``max_replicas``)."""

    CSS_PATH = "scale.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="scale.cancel"),
    ]

    def __init__(self, deployment: Deployment, max_replicas: int, *, hpa_warning: str = "") -> None:
        super().__init__()
        self.deployment = deployment
        self.max_replicas = max_replicas
        self.hpa_warning = hpa_warning

    def compose(self) -> ComposeResult:
        d = self.deployment
        with Vertical(id="dialog"):
            yield Label(Content(f"Scale deployment {d.namespace}/{d.name}"), id="title")
            yield Static(Content(f"now {d.replicas} desired, {d.ready} ready"), id="current")
            if self.hpa_warning:
                yield Static(Content(f"⚠ {self.hpa_warning}"), classes="warning")
            yield Input(
                str(d.replicas),
                placeholder=f"0 to {self.max_replicas}",
                id="replicas",
                compact=True,
                select_on_focus=True,
            )
            yield Static("", id="problem")
            yield Static(Content("enter previews the change · esc cancels"), id="hint")

    @on(Input.Changed, "#replicas")
    def _check(self, event: Input.Changed) -> None:
        self._problem(event.value)

    @on(Input.Submitted, "#replicas")
    def _submit(self, event: Input.Submitted) -> None:
        if self._problem(event.value) is None:
            self.dismiss(parse_replicas(event.value, self.max_replicas))

    def _problem(self, text: str) -> str | None:
        """Show what is wrong with ``text`` under the field; returns it (None if valid)."""
        try:
            parse_replicas(text, self.max_replicas)
        except ValidationError as exc:
            message: str | None = exc.message
        else:
            message = None
        problem = self.query_one("#problem", Static)
        problem.update(Content(message or ""))
        problem.set_class(message is not None, "-shown")
        return message
