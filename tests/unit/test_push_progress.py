"""Per-layer push progress and the explanations of failed pushes."""

from __future__ import annotations

from console.models import PushEvent
from console.push_progress import PushProgress, explain_push_error


def test_layers_track_their_bytes_and_completion_in_first_seen_order() -> None:
    progress = PushProgress("registry.sandbox.local/llm:1")
    progress.apply(PushEvent(layer="a1", status="Preparing"))
    progress.apply(PushEvent(layer="b2", status="Layer already exists"))
    progress.apply(PushEvent(layer="a1", status="Pushing", current=50, total=200))
    assert list(progress.layers) == ["a1", "b2"]
    assert progress.layers["a1"].fraction == 0.25 and progress.layers["b2"].fraction == 1.0
    assert progress.summary() == "pushing registry.sandbox.local/llm:1: 1/2 layers"
    progress.apply(PushEvent(layer="a1", status="Pushed"))
    progress.apply(PushEvent(status="Pushed", digest="sha256:" + "e" * 64, done=True))
    assert progress.ok and progress.layers["a1"].complete


def test_a_push_ending_in_an_error_is_not_ok() -> None:
    progress = PushProgress("ghcr.io/acme/llm:1")
    progress.apply(PushEvent(error="unauthorized: authentication required", done=True))
    assert progress.done and not progress.ok
    assert progress.summary() == "push of ghcr.io/acme/llm:1 failed"


def test_an_auth_failure_says_to_log_in_to_that_registry() -> None:
    assert explain_push_error("unauthorized: authentication required", "ghcr.io/acme/llm:1") == (
        "ghcr.io refused the push: not logged in, or not allowed to write to this repository. "
        "Run docker login ghcr.io on the Docker host and try again."
    )
    assert explain_push_error("denied: requested access to the resource is denied", "llm:1") \
        .startswith("Docker Hub refused the push")  # fmt: skip


def test_an_unknown_registry_is_named() -> None:
    error = 'Get "https://registry.nowhere/v2/": dial tcp: lookup registry.nowhere: no such host'
    assert explain_push_error(error, "registry.nowhere/llm:1") == (
        "the registry host registry.nowhere does not resolve: check the name in the tag, "
        "or tag the image for a registry you can reach"
    )


def test_a_refused_connection_names_the_address() -> None:
    error = "dial tcp 127.0.0.1:5999: connect: connection refused"
    assert explain_push_error(error, "127.0.0.1:5999/llm:1") == (
        "nothing answers at 127.0.0.1:5999: is the registry running and is the port right?"
    )
