"""The confirmation dialog of a Docker mutation: what it will do, the equivalent
``docker`` command, warnings; dismisses True only on ``y``/Confirm.

It mirrors ``screens.confirm.ConfirmScreen`` (which is typed to the cluster's
dry-run ``Preview`` and shows a diff Docker operations do not have).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from console.docker_ops import DockerPreview

__all__ = ["DockerConfirmScreen"]


class DockerConfirmScreen(ModalScreen[bool]):
    """The preview of one Docker operation; dismisses True when confirmed."""

    CSS_PATH = "docker_confirm.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Cancel", id="docker-confirm.cancel"),
        Binding("y", "dismiss(True)", "Confirm", id="docker-confirm.yes"),
    ]

    def __init__(self, preview: DockerPreview) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.preview.summary), id="summary")
            for warning in self.preview.warnings:
                yield Static(Content(f"⚠ {warning}"), classes="warning")
            yield Static(Content(f"$ {self.preview.command_line}"), id="command")
            with Horizontal(id="buttons"):
                yield Button("Confirm", variant="error", id="confirm")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")
