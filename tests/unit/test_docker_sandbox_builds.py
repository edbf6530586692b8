"""The sandbox builder's pieces: reading Dockerfiles and imagining what RUN prints."""

from __future__ import annotations

import pytest

from console.sandbox.docker_dockerfile import DockerfileError, expand, parse, stages
from console.sandbox.docker_format import human_duration, human_size, progress_bar
from console.sandbox.docker_shell import simulate, split_script


def test_continuations_and_comments_are_read_as_the_legacy_builder_reads_them() -> None:
    instructions = parse(
        "# syntax comment\n"
        "FROM python:3.11-slim AS base\n"
        "\n"
        "RUN apt-get update && \\\n"
        "    # a comment inside the continuation\n"
        "    apt-get install -y curl\n"
        'CMD ["python3", "-m", "app"]\n'
    )
    assert [(i.keyword, i.line) for i in instructions] == [("FROM", 2), ("RUN", 4), ("CMD", 7)]
    assert instructions[1].original == "RUN apt-get update && apt-get install -y curl"
    assert instructions[2].json_args == ("python3", "-m", "app")


def test_flags_are_separated_from_the_arguments() -> None:
    (copy,) = parse("COPY --from=builder --chown=1000 /src /dst\n")
    assert copy.flags == {"from": "builder", "chown": "1000"}
    assert copy.words() == ["/src", "/dst"]


def test_an_unknown_instruction_is_refused_with_its_line_number() -> None:
    with pytest.raises(DockerfileError, match="line 2: unknown instruction: FROOB"):
        parse("FROM scratch\nfroob x\n")


def test_stages_start_at_each_from_and_global_args_are_not_steps() -> None:
    global_args, found = stages(
        parse("ARG PY=3.11\nFROM python:${PY} AS build\nRUN make\nFROM scratch\n")
    )
    assert [a.args for a in global_args] == ["PY=3.11"]
    assert [(s.base, s.name, len(s.instructions)) for s in found] == [
        ("python:${PY}", "build", 2),
        ("scratch", "", 1),
    ]
    with pytest.raises(DockerfileError):
        stages(parse("RUN true\n"))


def test_variables_expand_in_both_spellings_and_unknown_ones_are_empty() -> None:
    assert expand("$A-${B}-$C", {"A": "1", "B": "2"}) == "1-2-"


def test_a_script_is_split_on_operators_outside_quotes() -> None:
    assert split_script("echo 'a && b' && false || echo c; exit 2") == [
        (";", "echo 'a && b'"),
        ("&&", "false"),
        ("||", "echo c"),
        (";", "exit 2"),
    ]


@pytest.mark.parametrize(
    ("script", "lines", "status"),
    [
        ("echo building && exit 1", ["building"], 1),
        ("false || echo recovered", ["recovered"], 0),
        ("false && echo skipped", [], 1),
        ('echo "$GREETING world"', ["hello world"], 0),
        ("exit 3; echo never", [], 3),
    ],
)
def test_run_output_and_status_follow_the_shell_s_rules(
    script: str, lines: list[str], status: int
) -> None:
    result = simulate(script, {"GREETING": "hello"})
    assert (result.lines, result.status) == (lines, status)


def test_pip_install_prints_what_pip_prints_for_pinned_versions() -> None:
    result = simulate("pip install --no-cache-dir torch==2.4.1", {})
    assert result.lines[0] == "Collecting torch==2.4.1"
    assert result.lines[-1] == "Successfully installed torch-2.4.1"


def test_sizes_durations_and_bars_read_as_the_docker_cli_prints_them() -> None:
    assert (human_size(1_982_256), human_size(512), human_size(9.6e9)) == (
        "1.982MB",
        "512B",
        "9.6GB",
    )
    assert [human_duration(s) for s in (0.5, 45, 90, 3 * 3600, 3 * 86400)] == [
        "Less than a second",
        "45 seconds",
        "About a minute",
        "3 hours",
        "3 days",
    ]
    bar = "[" + "=" * 25 + ">" + " " * 25 + "] "
    assert progress_bar(50, 100) == bar + "50B".rjust(8) + "/100B"
