"""The form that starts a build: context, Dockerfile, tags, build args, target, no-cache.

Submitting validates every field (``console.builds.parse_build_form``) and shows
each problem under its input; only a valid form dismisses with a ``BuildRequest``.
Nothing is sent to the daemon from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from console.builds import BuildForm, BuildFormInvalid, BuildRequest, parse_build_form

__all__ = ["BuildFormScreen"]

#: (field of ``BuildForm``, label, placeholder)
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("context", "Context", "directory sent to the daemon, e.g. ~/src/llm-server"),
    ("dockerfile", "Dockerfile", "Dockerfile (relative to the context)"),
    ("tags", "Tags", "registry.example.com/team/app:1.0, app:dev"),
    ("build_args", "Build args", "KEY=VALUE KEY2='a value'"),
    ("target", "Target", "stage name (optional)"),
)


class BuildFormScreen(ModalScreen[BuildRequest | None]):
    """Asks for a build; dismisses with the validated request, or None."""

    CSS_PATH = "build_form.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="build-form.cancel"),
        Binding("ctrl+s", "submit", "Build", id="build-form.submit"),
    ]

    def __init__(self, initial: BuildForm | None = None, *, cwd: Path | None = None) -> None:
        super().__init__()
        self.initial = initial or BuildForm(context="")
        self.cwd = cwd

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Start a build", id="title")
            for name, label, placeholder in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label, classes="label")
                    value = str(getattr(self.initial, name))
                    yield Input(value, placeholder=placeholder, id=name, compact=True)
                yield Static("", id=f"{name}-problem", classes="problem", markup=False)
            yield Checkbox("No cache", self.initial.no_cache, id="no_cache", compact=True)
            with Horizontal(id="buttons"):
                yield Button("Build", variant="primary", id="submit")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#context", Input).focus()

    def form(self) -> BuildForm:
        """The form's fields as typed."""
        values = {name: self.query_one(f"#{name}", Input).value for name, _, _ in FIELDS}
        return BuildForm(**values, no_cache=self.query_one("#no_cache", Checkbox).value)

    def action_submit(self) -> None:
        """Validate; dismiss with the request, or show each field's problem."""
        try:
            request = parse_build_form(self.form(), cwd=self.cwd)
        except BuildFormInvalid as invalid:
            self._show_problems(invalid.problems)
            return
        self.dismiss(request)

    def _show_problems(self, problems: dict[str, str]) -> None:
        for name, _, _ in FIELDS:
            problem = self.query_one(f"#{name}-problem", Static)
            problem.update(problems.get(name, ""))
            problem.set_class(name in problems, "-shown")
            self.query_one(f"#{name}", Input).set_class(name in problems, "-invalid")
        first = next(name for name, _, _ in FIELDS if name in problems)
        self.query_one(f"#{first}", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#submit")
    def _submitted(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancelled(self) -> None:
        self.dismiss(None)
