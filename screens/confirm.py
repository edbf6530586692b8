"""Confirmation dialogs for mutations: the preview, then yes/no or the typed name.

``ConfirmScreen`` shows what an operation will do — its summary, warnings, the
equivalent ``kubectl`` command and the dry run's diff — and dismisses with
``True`` only when the operator confirms: ``y``/Confirm, or, in a protected
context, typing the object's name. ``ReloadScreen`` asks whether to reload after
someone else changed the object.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from console.operations import Preview

__all__ = ["ConfirmScreen", "ReloadScreen", "diff_content"]


def diff_content(diff: str) -> Content:
    """A unified diff coloured by line: additions, removals and hunk headers in the
    theme's success, error and accent colours. The text is never parsed as markup."""
    parts: list[str | tuple[str, str]] = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            parts.append((line, "bold"))
        elif line.startswith("+"):
            parts.append((line, "$text-success"))
        elif line.startswith("-"):
            parts.append((line, "$text-error"))
        elif line.startswith("@@"):
            parts.append((line, "$text-accent"))
        else:
            parts.append(line)
    return Content.assemble(*parts)


class ConfirmScreen(ModalScreen[bool]):
    """The preview of one operation; dismisses True when the operator confirms it."""

    CSS_PATH = "confirm.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("y", "confirm", "Confirm", id="confirm.yes"),
    ]

    def __init__(self, preview: Preview) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        preview = self.preview
        with Vertical(id="dialog"):
            yield Static(Content(preview.summary), id="summary")
            for warning in preview.warnings:
                yield Static(Content(f"⚠ {warning}"), classes="warning")
            yield Static(Content(f"$ {preview.kubectl_line}"), id="kubectl")
            with VerticalScroll(id="diff"):
                text = diff_content(preview.diff) if preview.diff else Content("(no change)")
                yield Static(text)
            if preview.confirm_phrase is not None:
                yield Label(
                    Content.assemble(
                        "This context is protected. Type ",
                        (preview.confirm_phrase, "bold"),
                        " to confirm.",
                    )
                )
                yield Input(placeholder=preview.confirm_phrase, id="phrase", compact=True)
                yield Static("", id="mismatch")
            with Horizontal(id="buttons"):
                yield Button("Confirm", variant="error", id="confirm")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        if self.preview.confirm_phrase is not None:
            self.query_one("#phrase", Input).focus()
        else:
            self.query_one("#cancel", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``y`` confirms only where no name needs typing (there it is a letter)."""
        if action == "confirm":
            return self.preview.confirm_phrase is None
        return True

    def action_confirm(self) -> None:
        """Confirm, if the typed name (where one is asked for) matches."""
        typed = self.query_one("#phrase", Input).value if self.preview.confirm_phrase else ""
        if self.preview.confirmed_by(typed):
            self.dismiss(True)
            return
        mismatch = self.query_one("#mismatch", Static)
        mismatch.update(Content(f"type {self.preview.confirm_phrase} exactly to confirm"))
        mismatch.add_class("-shown")

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(False)

    @on(Button.Pressed, "#confirm")
    @on(Input.Submitted, "#phrase")
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


class ReloadScreen(ModalScreen[bool]):
    """Says the object changed under the operator; dismisses True to reload."""

    CSS_PATH = "confirm.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Close", id="reload.close"),
        Binding("r", "dismiss(True)", "Reload", id="reload.yes"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.message), id="summary")
            with Horizontal(id="buttons"):
                yield Button("Reload", variant="primary", id="reload")
                yield Button("Close", id="close")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "reload")
