"""The console's header: where am I (context, namespace), may I change things
(READ-ONLY), and is each backend answering.

The header mirrors the app's state: on mount it watches the app's ``context``,
``namespace``, ``read_only``, ``sandbox`` and per-backend health reactives, so every
screen that composes one shows the same thing without being told.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Label

from console.health import OFF, BackendHealth

#: The backends the header reports on, with the short name it prints for each.
BACKENDS: dict[str, str] = {"kubernetes": "k8s", "prometheus": "prom", "docker": "docker"}


class HealthDot(Label):
    """A dot and a word for one backend; its class (``-ok``, ``-connecting``,
    ``-retrying``, ``-off``) picks the colour."""

    DEFAULT_CSS = """
    HealthDot {
        padding: 0 0 0 1;
        max-width: 40;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        &.-ok { color: $text-success; }
        &.-connecting { color: $text-warning; }
        &.-retrying { color: $text-error; text-style: bold; }
        &.-off { color: $text-muted; }
    }
    """

    health: reactive[BackendHealth] = reactive(OFF)
    """The backend's latest health."""

    def __init__(self, backend: str, short: str) -> None:
        super().__init__(id=f"health-{backend}", classes="-off", markup=False)
        self.backend = backend
        self.short = short

    def watch_health(self, old: BackendHealth, new: BackendHealth) -> None:
        self.remove_class(f"-{old.state}")
        self.add_class(f"-{new.state}")
        self.update(f"{self.short} ● {new.word}")
        self.tooltip = new.detail or None


class ConsoleHeader(Horizontal):
    """One line: context (a badge on the sandbox), namespace, READ-ONLY, backend health."""

    DEFAULT_CSS = """
    ConsoleHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        & > Label { padding: 0 1; text-wrap: nowrap; }
        & > #context { text-style: bold; }
        &.-sandbox > #context { background: $warning-muted; color: $text-warning; }
        & > #namespace { color: $text-accent; }
        &.-all-namespaces > #namespace { color: $text-muted; }
        & > #read-only {
            display: none;
            background: $error-muted;
            color: $text-error;
            text-style: bold;
        }
        &.-read-only > #read-only { display: block; }
        & > #spacer { width: 1fr; min-width: 0; padding: 0; }
        & > HealthDot:last-of-type { padding-right: 1; }
    }
    """

    context: reactive[str] = reactive("")
    """The Kubernetes context's name."""
    namespace: reactive[str] = reactive("")
    """The namespace shown ("" for all namespaces)."""
    read_only: reactive[bool] = reactive(False)
    """Whether every mutation is refused."""
    sandbox: reactive[bool] = reactive(False)
    """Whether the console runs on the embedded sandbox."""

    def compose(self) -> ComposeResult:
        yield Label("", id="context", markup=False)
        yield Label("", id="namespace", markup=False)
        yield Label("READ-ONLY", id="read-only")
        yield Label("", id="spacer")
        for backend, short in BACKENDS.items():
            yield HealthDot(backend, short)

    def on_mount(self) -> None:
        for name in ("context", "namespace", "read_only", "sandbox"):
            self.watch(self.app, name, self._mirror(self, name))
        for backend in BACKENDS:
            dot = self.query_one(f"#health-{backend}", HealthDot)
            self.watch(self.app, f"{backend}_health", self._mirror(dot, "health"))

    @staticmethod
    def _mirror(target: Widget, name: str) -> Callable[[object], None]:
        """A watcher that copies the app's value into ``target.name``."""

        def copy(value: object) -> None:
            setattr(target, name, value)

        return copy

    def _show_context(self) -> None:
        context = self.context or "(no context)"
        shown = context if not self.sandbox or context == "sandbox" else f"sandbox · {context}"
        self.query_one("#context", Label).update(f"⎈ {shown}")

    def watch_context(self) -> None:
        self._show_context()

    def watch_sandbox(self, sandbox: bool) -> None:
        self.set_class(sandbox, "-sandbox")
        self._show_context()

    def watch_namespace(self, namespace: str) -> None:
        self.query_one("#namespace", Label).update(namespace or "all namespaces")
        self.set_class(not namespace, "-all-namespaces")

    def watch_read_only(self, read_only: bool) -> None:
        self.set_class(read_only, "-read-only")
