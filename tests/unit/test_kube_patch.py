"""The sandbox API server's patch semantics: JSON Patch, merge patch and the
strategic merge directives kubectl emits."""

from __future__ import annotations

import pytest

from console.sandbox.kube.patch import json_patch, merge_patch
from console.sandbox.kube.status import ApiError
from console.sandbox.kube.strategic import strategic_merge

POD_SPEC = {
    "containers": [
        {"name": "server", "image": "vllm:0.5", "ports": [{"containerPort": 8000}],
         "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]},
        {"name": "proxy", "image": "envoy:1.30"},
    ],
    "volumes": [{"name": "cache", "emptyDir": {}}],
}


def test_json_patch_adds_appends_moves_copies_and_removes():
    doc = {"a": {"b": 1}, "list": [1, 2]}
    ops = [{"op": "add", "path": "/list/-", "value": 3},
           {"op": "add", "path": "/list/0", "value": 0},
           {"op": "copy", "from": "/a", "path": "/c"},
           {"op": "move", "from": "/a/b", "path": "/d"},
           {"op": "remove", "path": "/a"},
           {"op": "add", "path": "/e~1f", "value": True}]
    assert json_patch(doc, ops) == {"list": [0, 1, 2, 3], "c": {"b": 1}, "d": 1, "e/f": True}
    assert doc == {"a": {"b": 1}, "list": [1, 2]}


def test_json_patch_replace_of_a_missing_key_fails_like_the_api_server():
    with pytest.raises(ApiError) as caught:
        json_patch({"metadata": {}}, [{"op": "replace", "path": "/metadata/annotations",
                                       "value": {}}])
    assert caught.value.code == 422
    assert caught.value.message == ("replace operation does not apply: doc is missing key: "
                                    "/metadata/annotations")


def test_a_json_patch_that_is_not_a_list_is_a_bad_request():
    with pytest.raises(ApiError) as caught:
        json_patch({}, {"op": "add"})
    assert caught.value.code == 400


def test_merge_patch_merges_maps_deletes_nulls_and_replaces_lists():
    doc = {"m": {"keep": 1, "drop": 2}, "l": [1, 2]}
    assert merge_patch(doc, {"m": {"drop": None, "new": 3}, "l": [9]}) == {
        "m": {"keep": 1, "new": 3}, "l": [9]}


def test_strategic_merge_merges_containers_by_name_and_mounts_by_path():
    patch = {"containers": [{"name": "server", "volumeMounts": [
        {"name": "models", "mountPath": "/models"}]}]}
    merged = strategic_merge(POD_SPEC, patch)
    assert [m["mountPath"] for m in merged["containers"][0]["volumeMounts"]] == [
        "/cache", "/models"]
    assert merged["containers"][1] == POD_SPEC["containers"][1]


def test_strategic_merge_keys_container_ports_by_container_port():
    patch = {"containers": [{"name": "server", "ports": [{"containerPort": 8000,
                                                          "name": "http"}]}]}
    merged = strategic_merge(POD_SPEC, patch)
    assert merged["containers"][0]["ports"] == [{"containerPort": 8000, "name": "http"}]


def test_strategic_merge_keys_service_ports_by_port():
    service = {"spec": {"ports": [{"port": 80, "targetPort": 8000}]}}
    merged = strategic_merge(service, {"spec": {"ports": [{"port": 443, "targetPort": 8443}]}})
    assert [p["port"] for p in merged["spec"]["ports"]] == [80, 443]


def test_strategic_delete_and_replace_directives():
    deleted = strategic_merge(POD_SPEC, {"volumes": [{"name": "cache", "$patch": "delete"}]})
    assert deleted["volumes"] == []
    replaced = strategic_merge(POD_SPEC, {"containers": [
        {"name": "only", "image": "busybox"}, {"$patch": "replace"}]})
    assert replaced["containers"] == [{"name": "only", "image": "busybox"}]
    whole = strategic_merge({"m": {"a": 1, "b": 2}}, {"m": {"$patch": "replace", "c": 3}})
    assert whole == {"m": {"c": 3}}
    gone = strategic_merge({"m": {"a": 1}, "n": 1}, {"m": {"$patch": "delete"}})
    assert gone == {"n": 1}


def test_strategic_set_element_order_reorders_the_merged_list():
    patch = {"$setElementOrder/containers": [{"name": "proxy"}, {"name": "server"}],
             "containers": [{"name": "proxy", "image": "envoy:1.31"}]}
    merged = strategic_merge(POD_SPEC, patch)
    assert [(c["name"], c["image"]) for c in merged["containers"]] == [
        ("proxy", "envoy:1.31"), ("server", "vllm:0.5")]


def test_strategic_retain_keys_and_primitive_list_directives():
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    merged = strategic_merge({"strategy": strategy},
                             {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}})
    assert merged == {"strategy": {"type": "Recreate"}}
    meta = {"finalizers": ["a", "b"]}
    assert strategic_merge(meta, {"finalizers": ["c", "a"]}) == {"finalizers": ["a", "b", "c"]}
    assert strategic_merge(meta, {"$deleteFromPrimitiveList/finalizers": ["a"]}) == {
        "finalizers": ["b"]}


def test_strategic_merge_refuses_an_element_without_its_merge_key():
    with pytest.raises(ApiError) as caught:
        strategic_merge(POD_SPEC, {"containers": [{"image": "x"}]})
    assert caught.value.code == 400
