"""A key footer that rebuilds itself only when the keys it shows change.

Textual's ``Footer`` unmounts and remounts one widget per key whenever its screen
asks for a bindings refresh, and every focus change asks for one. Moving the focus
between two widgets whose own bindings are hidden changes nothing on the footer,
yet the rebuild and the layout after it cost tens of milliseconds on an idle
machine and several hundred on a loaded one, during which keys wait. This footer
remembers what it composed and skips refreshes that would compose the same.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["SteadyFooter"]


class SteadyFooter(Footer):
    """A ``Footer`` that skips bindings refreshes which would show the same keys."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        #: What the last compose showed (None: nothing composed yet).
        self._shown: tuple[Hashable, ...] | None = None

    def compose(self) -> ComposeResult:
        self._shown = self._keys(self.screen) if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._shown is not None and screen is self.screen and self._keys(screen) == self._shown:
            return
        super().bindings_changed(screen)

    def _keys(self, screen: Screen[object]) -> tuple[Hashable, ...]:
        """Everything ``Footer.compose`` draws from: each binding shown (and the
        command palette's), how its key is displayed, whether it is enabled, and
        its tooltip, in order."""
        palette = self.app.COMMAND_PALETTE_BINDING
        display = self.app.get_key_display
        return tuple(
            (binding, display(binding), enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette
        )
