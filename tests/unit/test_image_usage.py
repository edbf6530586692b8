"""Where an image runs: references matched as the registry resolves them."""

from __future__ import annotations

from console.image_usage import deployments_using, normalize_reference, runs_image
from console.models import Deployment, Image

DIGEST = "sha256:" + "c" * 64


def image(*tags: str, digests: tuple[str, ...] = ()) -> Image:
    return Image(id="sha256:" + "1" * 64, tags=tags, digests=digests)


def test_docker_hub_names_are_canonical() -> None:
    assert normalize_reference("python:3.11") == ("docker.io/library/python", "3.11", None)
    assert normalize_reference("docker.io/library/python") == (
        "docker.io/library/python", "latest", None
    )  # fmt: skip
    assert (
        normalize_reference("index.docker.io/vllm/vllm-openai:v1")[0]
        == "docker.io/vllm/vllm-openai"
    )  # type: ignore[index]


def test_a_tag_matches_whatever_registry_prefix_spells_docker_hub() -> None:
    local = image("python:3.11-slim")
    assert runs_image("docker.io/library/python:3.11-slim", local)
    assert runs_image("index.docker.io/python:3.11-slim", local)
    assert not runs_image("python:3.11", local)
    assert not runs_image("ghcr.io/python:3.11-slim", local)


def test_an_untagged_reference_means_latest() -> None:
    assert runs_image("grafana/grafana", image("grafana/grafana:latest"))
    assert not runs_image("grafana/grafana", image("grafana/grafana:11.2.0"))


def test_a_digest_reference_matches_the_image_s_repository_digest_only() -> None:
    local = image("registry.acme.ai/llm:1", digests=(f"registry.acme.ai/llm@{DIGEST}",))
    assert runs_image(f"registry.acme.ai/llm@{DIGEST}", local)
    assert runs_image(f"registry.acme.ai/llm:2@{DIGEST}", local)
    assert not runs_image(f"registry.acme.ai/other@{DIGEST}", local)
    assert not runs_image(
        f"registry.acme.ai/llm@sha256:{'d' * 64}", image("registry.acme.ai/llm:1")
    )


def test_deployments_using_lists_each_matching_container_in_order() -> None:
    local = image("registry.acme.ai/serving/llm:1.2")
    deployments = [
        Deployment(namespace="serving", name="b", images=("registry.acme.ai/serving/llm:1.2",)),
        Deployment(namespace="serving", name="a", images=("envoy:1.30", "registry.acme.ai/serving/llm:1.2")),  # noqa: E501
        Deployment(namespace="serving", name="c", images=("registry.acme.ai/serving/llm:1.1",)),
        Deployment(namespace="x", name="bad", images=("not a reference",)),
    ]  # fmt: skip
    uses = deployments_using(local, deployments)
    assert [use.deployment.key for use in uses] == ["serving/a", "serving/b"]
    assert uses[0].reference == "registry.acme.ai/serving/llm:1.2"
