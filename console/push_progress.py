"""A push's per-layer progress, folded from the adapter's ``PushEvent`` stream, and
the sentence that explains a failed push.

The daemon's push errors are terse ("denied: requested access to the resource is
denied", "dial tcp: lookup registry.example on …: no such host");
``explain_push_error`` says what they mean and what to do about them.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.models import PushEvent

__all__ = ["LayerProgress", "PushProgress", "explain_push_error"]

#: Statuses after which a layer is on the registry.
_LAYER_DONE = ("Pushed", "Layer already exists", "Mounted from")


@dataclass(slots=True)
class LayerProgress:
    """One layer: its latest status and bytes sent of its size (0 when unknown)."""

    layer: str
    status: str = ""
    current: int = 0
    total: int = 0

    @property
    def complete(self) -> bool:
        """Whether the registry has the layer."""
        return self.status.startswith(_LAYER_DONE)

    @property
    def fraction(self) -> float:
        """How much of the layer is sent, 0 to 1 (1 once complete)."""
        if self.complete:
            return 1.0
        return min(1.0, self.current / self.total) if self.total else 0.0


class PushProgress:
    """The layers of one push in the order the daemon first mentioned them."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        self.layers: dict[str, LayerProgress] = {}
        self.status = ""
        self.digest = ""
        self.error = ""
        self.done = False
        #: Increases with every change, so a view can tell whether to repaint.
        self.version = 0

    def apply(self, event: PushEvent) -> None:
        """Fold one event in; events after the end are ignored."""
        if self.done:
            return
        self.version += 1
        if event.layer:
            layer = self.layers.setdefault(event.layer, LayerProgress(event.layer))
            layer.status = event.status
            if event.total or event.current:
                layer.current, layer.total = event.current, event.total
        elif event.status:
            self.status = event.status
        if event.digest:
            self.digest = event.digest
        if event.error:
            self.error = event.error
        self.done = event.done

    @property
    def ok(self) -> bool:
        """Whether the push ended with a manifest digest and no error."""
        return self.done and not self.error and bool(self.digest)

    def summary(self) -> str:
        """One line: layers done of layers seen, or how the push ended."""
        if self.ok:
            return f"pushed {self.reference} ({self.digest})"
        if self.error:
            return f"push of {self.reference} failed"
        done = sum(1 for layer in self.layers.values() if layer.complete)
        return f"pushing {self.reference}: {done}/{len(self.layers)} layers"


def explain_push_error(error: str, reference: str) -> str:
    """What a failed push's daemon ``error`` means for ``reference`` and what to do."""
    lowered = error.lower()
    registry = _registry_of(reference)
    if "denied" in lowered or "unauthorized" in lowered or "authentication required" in lowered:
        login = f"docker login {registry}" if registry else "docker login"
        return (
            f"{registry or 'Docker Hub'} refused the push: not logged in, or not allowed to "
            f"write to this repository. Run {login} on the Docker host and try again."
        )
    if "no such host" in lowered or "server misbehaving" in lowered:
        return (
            f"the registry host {registry or '(none)'} does not resolve: check the name in "
            "the tag, or tag the image for a registry you can reach"
        )
    if "connection refused" in lowered:
        return f"nothing answers at {registry}: is the registry running and is the port right?"
    if "does not exist locally" in lowered or "no such image" in lowered:
        return f"there is no local image {reference}: build or tag it first"
    if "timeout" in lowered or "deadline exceeded" in lowered:
        return f"the registry {registry or 'Docker Hub'} did not answer in time; try again"
    return f"the push of {reference} failed"


def _registry_of(reference: str) -> str:
    """The registry host a reference names, "" for Docker Hub."""
    first, slash, _ = reference.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first
    return ""
