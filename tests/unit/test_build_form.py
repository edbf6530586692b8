"""The build form: every wrong field gets its own precise sentence, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.builds import BuildForm, BuildFormInvalid, BuildRequest, parse_build_form


@pytest.fixture
def context(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text("FROM python:3.11 AS builder\nFROM scratch AS runtime\n")
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile.gpu").write_text("FROM nvidia/cuda:12.4\n")
    return tmp_path


def problems(form: BuildForm, cwd: Path | None = None) -> dict[str, str]:
    with pytest.raises(BuildFormInvalid) as caught:
        parse_build_form(form, cwd=cwd)
    return caught.value.problems


def test_a_complete_form_becomes_a_request(context: Path) -> None:
    form = BuildForm(
        str(context), "docker/Dockerfile.gpu", "registry.acme.ai/serving/llm:1.2, llm:dev",
        'PIP_INDEX=https://pypi.example/simple GREETING="hello world"', "", no_cache=True,
    )  # fmt: skip
    assert parse_build_form(form) == BuildRequest(
        context.resolve(), "docker/Dockerfile.gpu", ("registry.acme.ai/serving/llm:1.2", "llm:dev"),
        {"PIP_INDEX": "https://pypi.example/simple", "GREETING": "hello world"}, None, True,
    )  # fmt: skip


def test_a_relative_context_is_taken_from_the_working_directory(context: Path) -> None:
    request = parse_build_form(BuildForm(context.name), cwd=context.parent)
    assert request.context_dir == context.resolve()
    assert request.dockerfile == "Dockerfile"


def test_a_tag_with_a_space_names_the_tag_and_the_position(context: Path) -> None:
    found = problems(BuildForm(str(context), tags="llm:1, my app:2"))
    assert found == {
        "tags": "tag 'my app:2': an image reference cannot contain spaces (found one at position 3)"
    }


def test_an_upper_case_repository_suggests_the_lower_case_name(context: Path) -> None:
    found = problems(BuildForm(str(context), tags="registry.acme.ai/Serving/LLM:1"))
    assert found["tags"] == (
        "tag 'registry.acme.ai/Serving/LLM:1': repository names must be lowercase: "
        "'Serving/LLM' (use 'serving/llm')"
    )


def test_a_tag_cannot_carry_a_digest(context: Path) -> None:
    digest = "sha256:" + "a" * 64
    found = problems(BuildForm(str(context), tags=f"llm@{digest}"))
    assert found["tags"] == f"tag 'llm@{digest}': a build tag cannot name a digest"


def test_a_missing_context_is_named_with_its_full_path(tmp_path: Path) -> None:
    found = problems(BuildForm("nowhere"), cwd=tmp_path)
    assert found == {"context": f"the context directory {tmp_path / 'nowhere'} does not exist"}


def test_a_file_given_as_context_asks_for_its_directory(context: Path) -> None:
    found = problems(BuildForm(str(context / "Dockerfile")))
    assert found["context"] == (
        f"the context {context / 'Dockerfile'} is a file; give the directory that holds it"
    )


def test_an_empty_context_says_what_a_context_is() -> None:
    assert problems(BuildForm("  "))["context"] == (
        "enter the build context: the directory sent to the daemon"
    )


def test_a_dockerfile_missing_from_the_context_is_refused(context: Path) -> None:
    found = problems(BuildForm(str(context), dockerfile="Dockerfile.prod"))
    assert found == {
        "dockerfile": f"there is no Dockerfile Dockerfile.prod in the context {context.resolve()}"
    }


def test_a_dockerfile_outside_the_context_is_refused(context: Path) -> None:
    found = problems(BuildForm(str(context / "docker"), dockerfile="../Dockerfile"))
    assert found["dockerfile"] == (
        f"the Dockerfile ../Dockerfile is outside the context {(context / 'docker').resolve()}"
    )


def test_a_build_arg_without_equals_shows_how_to_write_it(context: Path) -> None:
    found = problems(BuildForm(str(context), build_args="VERSION=1 CUDA"))
    assert found == {"build_args": "build arg 'CUDA' has no '=': write it as CUDA=value"}


def test_a_build_arg_name_must_be_an_identifier(context: Path) -> None:
    found = problems(BuildForm(str(context), build_args="1X=2"))
    assert found["build_args"] == (
        "build arg name '1X' is invalid: use letters, digits and '_', not starting with a digit"
    )


def test_a_build_arg_given_twice_is_refused(context: Path) -> None:
    found = problems(BuildForm(str(context), build_args="A=1 A=2"))
    assert found["build_args"] == "build arg A is given twice"


def test_an_unclosed_quote_in_build_args_is_named(context: Path) -> None:
    found = problems(BuildForm(str(context), build_args='A="open'))
    assert found["build_args"] == "build args: No closing quotation (close the quote)"


def test_a_target_must_be_a_stage_of_the_dockerfile(context: Path) -> None:
    found = problems(BuildForm(str(context), target="prod"))
    assert found == {
        "target": "target 'prod' is not a stage of Dockerfile (stages: builder, runtime)"
    }
    assert parse_build_form(BuildForm(str(context), target="Runtime")).target == "Runtime"


def test_a_target_must_look_like_a_stage_name(context: Path) -> None:
    found = problems(BuildForm(str(context), target="-x"))
    assert found["target"].startswith("target '-x' is not a stage name")


def test_every_wrong_field_is_reported_at_once(tmp_path: Path) -> None:
    found = problems(BuildForm(str(tmp_path / "gone"), tags="A B", build_args="X"))
    assert set(found) == {"context", "tags", "build_args"}
