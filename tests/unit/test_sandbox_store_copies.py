"""The sandbox store owns what it stores: writers' dicts are copied, stored versions
never change, and a new version shares only what it took unchanged from the last."""

from __future__ import annotations

from typing import Any

from console.sandbox.store import ObjectStore, json_copy


def a_pod(name: str = "web-0") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "args": ["-g"]}]},
        "status": {"phase": "Pending"},
    }


def test_json_copy_equals_its_source_and_shares_no_dict_or_list_with_it() -> None:
    pod = a_pod()
    copy = json_copy(pod)
    assert copy == pod
    copy["spec"]["containers"][0]["args"].append("daemon off;")
    copy["metadata"]["labels"]["app"] = "api"
    assert pod == a_pod()


def test_changing_a_created_dict_afterwards_leaves_the_stored_object_alone() -> None:
    store = ObjectStore()
    pod = a_pod()
    store.create("pods", pod)
    pod["spec"]["containers"][0]["image"] = "nginx:1.28"
    pod["metadata"]["labels"]["app"] = "api"
    stored = store.get("pods", "default", "web-0")
    assert stored is not None
    assert stored["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert stored["metadata"]["labels"] == {"app": "web"}


def test_an_update_from_a_spread_copies_the_new_part_and_shares_the_untouched_spec() -> None:
    store = ObjectStore()
    first = store.create("pods", a_pod())
    status = {"phase": "Running"}
    second = store.update("pods", {**first, "status": status})
    assert second["status"] == {"phase": "Running"} and second["status"] is not status
    assert second["spec"] is first["spec"]
    assert second["metadata"] is not first["metadata"]
    assert first["metadata"]["resourceVersion"] != second["metadata"]["resourceVersion"]
    status["phase"] = "Failed"
    assert second["status"] == {"phase": "Running"}


def test_an_update_with_a_rebuilt_spec_keeps_the_old_version_unchanged() -> None:
    store = ObjectStore()
    first = store.create("pods", a_pod())
    spec = json_copy(first["spec"])
    spec["containers"][0]["image"] = "nginx:1.28"
    second = store.update("pods", {**first, "spec": spec})
    spec["containers"][0]["image"] = "nginx:9"
    assert first["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert second["spec"]["containers"][0]["image"] == "nginx:1.28"


def test_a_deleted_objects_event_carries_a_new_version_and_the_last_one_keeps_its_own() -> None:
    store = ObjectStore()
    stored = store.create("pods", a_pod())
    kept = stored["metadata"]["resourceVersion"]
    gone = store.delete("pods", "default", "web-0")
    assert gone["metadata"]["resourceVersion"] != kept
    assert stored["metadata"]["resourceVersion"] == kept
    assert [c.type for c in store.changes_since("pods", 0)] == ["ADDED", "DELETED"]
