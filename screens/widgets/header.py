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

from console.alert_summary import FiringSummary
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
    compact: reactive[bool] = reactive(False)
    """Whether, for lack of room, "ok" and "off" go without saying: a green dot is
    ok, a hollow one off."""

    def __init__(self, backend: str, short: str) -> None:
        super().__init__(id=f"health-{backend}", classes="-off", markup=False)
        self.backend = backend
        self.short = short

    def text(self, *, compact: bool) -> str:
        """What the dot says: ``k8s ● ok``; compact, ``k8s ●`` (ok) or ``k8s ○`` (off)."""
        health = self.health
        if compact and health.state in ("ok", "off"):
            return f"{self.short} {'●' if health.state == 'ok' else '○'}"
        return f"{self.short} ● {health.word}"

    def watch_health(self, old: BackendHealth, new: BackendHealth) -> None:
        self.remove_class(f"-{old.state}")
        self.add_class(f"-{new.state}")
        self.update(self.text(compact=self.compact))
        self.tooltip = new.detail or None

    def watch_compact(self, compact: bool) -> None:
        self.update(self.text(compact=compact))


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
        & > #firing { display: none; }
        & > #firing.-critical { display: block; color: $text-error; text-style: bold; }
        & > #firing.-warning { display: block; color: $text-warning; }
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
    firing: reactive[FiringSummary | None] = reactive(None)
    """The alerts firing now, by severity (None: unknown)."""

    _context_text = ""

    def compose(self) -> ComposeResult:
        yield Label("", id="context", markup=False)
        yield Label("", id="namespace", markup=False)
        yield Label("READ-ONLY", id="read-only")
        yield Label("", id="firing", markup=False)
        yield Label("", id="spacer")
        for backend, short in BACKENDS.items():
            yield HealthDot(backend, short)

    def on_mount(self) -> None:
        for name in ("context", "namespace", "read_only", "sandbox", "firing"):
            self.watch(self.app, name, self._mirror(self, name))
        for backend in BACKENDS:
            dot = self.query_one(f"#health-{backend}", HealthDot)
            self.watch(self.app, f"{backend}_health", self._mirror(dot, "health"))
            self.watch(self.app, f"{backend}_health", lambda _: self._fit())

    @staticmethod
    def _mirror(target: Widget, name: str) -> Callable[[object], None]:
        """A watcher that copies the app's value into ``target.name``."""

        def copy(value: object) -> None:
            setattr(target, name, value)

        return copy

    def _show_context(self) -> None:
        context = self.context or "(no context)"
        shown = context if not self.sandbox or context == "sandbox" else f"sandbox · {context}"
        self._context_text = f"⎈ {shown}"
        self.query_one("#context", Label).update(self._context_text)
        self._fit()

    def watch_context(self) -> None:
        self._show_context()

    def watch_sandbox(self, sandbox: bool) -> None:
        self.set_class(sandbox, "-sandbox")
        self._show_context()

    def watch_namespace(self, namespace: str) -> None:
        self.query_one("#namespace", Label).update(namespace or "all namespaces")
        self.set_class(not namespace, "-all-namespaces")
        self._fit()

    def watch_firing(self) -> None:
        self._show_firing()

    def on_resize(self) -> None:
        self._show_firing()

    def _show_firing(self) -> None:
        """The firing alerts by severity, coloured by the worst (hidden when nothing
        fires), in the room the line has."""
        summary = self.firing
        label = self.query_one("#firing", Label)
        label.set_class(bool(summary and summary.critical), "-critical")
        label.set_class(bool(summary and not summary.critical and summary.total), "-warning")
        self._fit()

    def _fit(self) -> None:
        """Say as much as the width allows: first the firing alerts shortened
        ("crit", "warn"), then "ok" and "off" left to the dots. The context, namespace,
        READ-ONLY and any unhealthy backend's words are always shown."""
        summary = self.firing
        dots = list(self.query(HealthDot))
        context = len(self._context_text) + 2
        namespace = len(self.namespace or "all namespaces") + 2
        fixed = context + namespace + (len("READ-ONLY") + 2 if self.read_only else 0) + 1
        choices = [(False, False), (True, False), (True, True)]  # (short firing, compact dots)
        for short, compact in choices:
            firing = summary.text(short=short) if summary else ""
            health = sum(len(d.text(compact=compact)) + 1 for d in dots)
            if fixed + (len(firing) + 2 if firing else 0) + health <= self.size.width:
                break
        self.query_one("#firing", Label).update(firing)
        for dot in dots:
            dot.compact = compact

    def watch_read_only(self, read_only: bool) -> None:
        self.set_class(read_only, "-read-only")
        self._fit()
