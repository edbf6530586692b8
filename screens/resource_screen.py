"""The base of the screens that list live cluster resources in a ``ResourceTable``.

``ResourceScreen`` holds what the Deployments, Pods and Nodes screens share: the
subscriptions to the app's watch-fed stores (dropped on unmount), the periodic
age refresh, the ``/`` filter line, the message saying why the table is empty or
stale, and the mutating keys that show disabled in read-only mode, say why when
pressed, and run through the operations pipeline.

Textual calls a message handler of every class in a screen's MRO, so a subclass
adds its own ``on_mount`` (the base's runs after it) but must not define the
handlers below again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from textual import events
from textual.screen import Screen
from textual.widgets import Input, Static

from console.actions import Action, Operation
from console.models import KubeObject
from console.state import Listener, ResourceStore
from screens.operation_flow import read_only_disables, refuse_disabled_key, run_operation
from screens.widgets.filter_bar import FilterBar
from screens.widgets.focus import skip_while_typing
from screens.widgets.resource_table import ResourceTable
from screens.widgets.rows import Changes

if TYPE_CHECKING:
    from console.app import OpsConsoleApp

__all__ = ["AGE_REFRESH_SECONDS", "ResourceScreen"]

#: Seconds between age refreshes; a row repaints only when its text changed.
AGE_REFRESH_SECONDS = 5.0

RowT = TypeVar("RowT")
K = TypeVar("K", bound=KubeObject)


class ResourceScreen(Screen[None], Generic[RowT]):
    """A screen whose one ``ResourceTable`` lists ``RowT`` rows fed by stores.

    Subclasses compose a ``FilterBar``, the table and a ``Static`` with id
    ``message``, and implement ``_narrow`` and ``_state_message``.
    """

    #: The screen's mutating actions by name, and the mutation each performs.
    MUTATING: ClassVar[Mapping[str, Action]] = {}

    def __init__(self) -> None:
        super().__init__()
        self._unsubscribe: list[Callable[[], None]] = []
        self._shown_state: tuple[str, bool, bool] | None = None

    @property
    def console(self) -> OpsConsoleApp:
        """The app, with its stores and backend state."""
        return cast("OpsConsoleApp", self.app)

    @property
    def table(self) -> ResourceTable[RowT]:
        """The screen's table."""
        return cast("ResourceTable[RowT]", self.query_one(ResourceTable))

    def _follow(self, store: ResourceStore[K], listener: Listener[K]) -> None:
        """Call ``listener`` on every change of ``store`` until the screen unmounts."""
        self._unsubscribe.append(store.subscribe(listener))

    def _on_store_changed(self, store: object, changes: Changes[RowT]) -> None:
        """Hand a store's change set to the table (a listener for ``_follow`` when
        the rows are the store's objects)."""
        if changes:
            self.table.apply(changes)
        self._show_state()

    def _run_operation(self, op: Operation) -> None:
        """Preview, confirm and perform ``op`` in a worker (one at a time)."""
        self.run_worker(run_operation(self, op), group="operation", exclusive=True,
                        exit_on_error=False)  # fmt: skip

    def on_mount(self) -> None:
        self.set_interval(AGE_REFRESH_SECONDS, self._refresh_ages, name="ages")

    def on_unmount(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def _refresh_ages(self) -> None:
        if self.is_current:
            self.table.refresh_cells()

    def on_resource_table_rows_changed(self) -> None:
        self._show_state()

    # ------------------------------------------------------------------ narrowing

    def action_filter(self) -> None:
        """Open the filter line."""
        skip_while_typing(self)
        self.query_one(FilterBar).open()

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FilterBar):
            self._narrow()

    def on_filter_bar_closed(self) -> None:
        self.table.focus()
        self._show_state()

    def _narrow(self) -> None:
        """Show only the rows the filter line (and the screen's scope) keeps."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state

    def _show_state(self) -> None:
        """Show why the table is empty or stale, or hide the message (repainting
        nothing when the state did not change). The screen has class ``-empty``
        while a message stands in for an empty table."""
        text, error = self._state_message()
        empty = self.table.row_count == 0 and bool(text)
        if (text, error, empty) == self._shown_state:
            return
        self._shown_state = (text, error, empty)
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(bool(text), "-visible")
        message.set_class(error, "-error")
        self.set_class(empty, "-empty")

    def _state_message(self) -> tuple[str, bool]:
        """The message for the current state ("" when all is well) and whether it
        is an error."""
        raise NotImplementedError

    # ------------------------------------------------------------------ mutations

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        return read_only_disables(self, action, self.MUTATING)

    def on_key(self, event: events.Key) -> None:
        refuse_disabled_key(self, event, self.MUTATING)
