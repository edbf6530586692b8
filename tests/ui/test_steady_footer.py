"""The steady footer: a focus change that shows the same keys keeps its key widgets;
a change of what the keys say (an action becoming allowed) rebuilds them."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button
from textual.widgets._footer import FooterKey

from screens.widgets.steady_footer import SteadyFooter
from tests.ui.conftest import wait_for


class TwoButtons(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("p", "push", "Push")]

    def __init__(self) -> None:
        super().__init__()
        self.allowed = False

    def compose(self) -> ComposeResult:
        yield Button("one", id="one")
        yield Button("two", id="two")
        yield SteadyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Push is shown but disabled until allowed."""
        if action == "push" and not self.allowed:
            return None
        return True

    def action_push(self) -> None:
        """Nothing to do: the test only looks at the footer."""


def push_key(app: App[None]) -> FooterKey:
    return next(key for key in app.query(FooterKey) if key.action == "push")


async def test_moving_the_focus_keeps_the_footer_s_keys() -> None:
    app = TwoButtons()
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: bool(app.query(FooterKey)))
        before = push_key(app)
        app.set_focus(app.query_one("#two"))
        await pilot.pause()
        app.set_focus(app.query_one("#one"))
        await pilot.pause()
        assert push_key(app) is before


async def test_an_action_becoming_allowed_rebuilds_the_footer() -> None:
    app = TwoButtons()
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: bool(app.query(FooterKey)))
        assert push_key(app).has_class("-disabled")
        app.allowed = True
        app.refresh_bindings()
        await wait_for(pilot, lambda: not push_key(app).has_class("-disabled"))
