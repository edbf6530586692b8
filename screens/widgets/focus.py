"""Keys typed right after the key that opens a text field land in that field.

Textual hands each key to the widget focused *when the app reads it*, and checks a
screen's ordinary bindings only after the key has travelled through that widget. A
key that opens a text field followed at once by text — a paste, a fast typist,
``tmux send-keys``, a slow bastion link delivering a burst — had all of that text
queued for the table, whose bindings then acted on it (``/mistral`` on the
Deployments table: ``m`` opened the charts and the filter stayed empty).

So the keys that open a field are *priority* bindings, run as the app reads them,
and their actions move focus with ``focus_now`` (``Widget.focus()`` defers it behind
the queued keys). While a text field has focus, ``skip_while_typing`` hands the key
back to the field: "/" inside the filter is a character, not "open the filter".
"""

from __future__ import annotations

from textual.actions import SkipAction
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Input


def focus_now(widget: Widget) -> None:
    """Give ``widget`` focus now, from inside the handler of the key that asked."""
    widget.screen.set_focus(widget)


def skip_while_typing(node: DOMNode) -> None:
    """Raise ``SkipAction`` when a text field has focus, so that the priority
    binding being run lets its key be typed there instead."""
    # Input only: the console has no TextArea (importing it costs 25 ms at start).
    if isinstance(node.app.focused, Input):
        raise SkipAction()
