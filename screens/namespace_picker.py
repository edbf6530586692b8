"""The namespace switcher: pick one namespace, or all, from the live NAMESPACE store."""

from __future__ import annotations

from collections.abc import Callable

from console.models import KubeObject
from console.state import ChangeSet, ResourceStore
from screens.picker import Picker

ALL = "all namespaces"


class NamespacePicker(Picker):
    """Dismisses with the chosen namespace ("" for all namespaces) or None if cancelled.
    The list follows the store: a namespace created meanwhile appears."""

    def __init__(self, store: ResourceStore[KubeObject] | None, current: str) -> None:
        super().__init__("Namespace", current, everything=ALL)
        self._store = store
        self._unsubscribe: Callable[[], None] | None = None

    def names(self) -> list[str]:
        return sorted(self._store.items) if self._store is not None else []

    def on_mount(self) -> None:
        if self._store is not None:
            self._unsubscribe = self._store.subscribe(self._on_store_changed)
        super().on_mount()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _on_store_changed(
        self, store: ResourceStore[KubeObject], changes: ChangeSet[KubeObject]
    ) -> None:
        if changes:
            self.refill()
