"""Operator input is refused with a sentence that says exactly what is wrong."""

from __future__ import annotations

import pytest

from console.validation import (
    ValidationError,
    parse_duration,
    parse_image_reference,
    parse_replicas,
)

LIMIT = "above the limit of 100 (operations.max_replicas in config)"


def refusal(parse, text: str, *args: object) -> str:
    with pytest.raises(ValidationError) as caught:
        parse(text, *args)
    return caught.value.message


@pytest.mark.parametrize(("text", "expected"), [("0", 0), ("100", 100), (" 7 ", 7), ("007", 7)])
def test_a_whole_number_within_the_limit_is_the_replica_count(text: str, expected: int) -> None:
    assert parse_replicas(text, 100) == expected


def test_an_empty_replica_count_asks_for_a_whole_number_in_range() -> None:
    assert refusal(parse_replicas, "  ", 100) == "enter a whole number of replicas from 0 to 100"


def test_a_negative_replica_count_is_refused_as_negative() -> None:
    assert refusal(parse_replicas, "-1", 100) == "replicas cannot be negative (got -1)"


def test_letters_are_not_a_whole_number() -> None:
    assert refusal(parse_replicas, "abc", 100) == "'abc' is not a whole number; enter 0 to 100"


def test_a_decimal_is_not_a_whole_number() -> None:
    assert refusal(parse_replicas, "3.5", 100) == "'3.5' is not a whole number; enter 0 to 100"


@pytest.mark.parametrize("text", ["1e9", "10^9", "10**9"])
def test_a_power_of_ten_above_the_limit_names_its_value_and_the_config_key(text: str) -> None:
    assert refusal(parse_replicas, text, 100) == f"{text} means 1000000000, which is {LIMIT}"


def test_a_small_power_of_ten_is_refused_with_its_plain_spelling() -> None:
    assert refusal(parse_replicas, "1e1", 100) == (
        "'1e1' is not a whole number in plain digits; write it as 10"
    )


def test_a_count_above_the_limit_names_the_config_key() -> None:
    assert refusal(parse_replicas, "1000000000", 100) == f"1000000000 is {LIMIT}"


def test_an_absurdly_long_count_is_shortened_in_the_message() -> None:
    message = refusal(parse_replicas, "9" * 5000, 100)
    assert message.startswith("999999999999… (5000 digits) is above the limit")


def test_digits_of_other_scripts_are_not_accepted() -> None:
    assert "is not a whole number" in refusal(parse_replicas, "\uff11", 100)


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("nginx", "", "nginx", None, None),
        ("team/model-server:1.4", "", "team/model-server", "1.4", None),
        ("registry.example.com:5000/ml/llama__q4:v2.0-rc1", "registry.example.com:5000",
         "ml/llama__q4", "v2.0-rc1", None),
        ("localhost/app@sha256:" + "a" * 64, "localhost", "app", None, "sha256:" + "a" * 64),
    ],
)  # fmt: skip
def test_a_valid_image_reference_is_split_into_its_parts(
    text: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    ref = parse_image_reference(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        registry, repository, tag, digest,
    )  # fmt: skip
    assert str(ref) == text


def test_an_image_reference_with_a_space_says_where_the_space_is() -> None:
    assert refusal(parse_image_reference, "model server:1") == (
        "an image reference cannot contain spaces (found one at position 6)"
    )


def test_an_uppercase_repository_is_refused_with_the_lowercase_spelling() -> None:
    assert refusal(parse_image_reference, "team/ModelServer") == (
        "repository names must be lowercase: 'team/ModelServer' (use 'team/modelserver')"
    )


def test_a_tag_starting_with_a_dash_is_refused() -> None:
    assert refusal(parse_image_reference, "app:-latest").startswith("tag '-latest' is invalid")


def test_a_sha256_digest_of_the_wrong_length_is_refused_with_the_count() -> None:
    message = refusal(parse_image_reference, "app@sha256:" + "a" * 40)
    assert message.endswith("sha256 digests have 64 hex digits, this one has 40")


def test_an_empty_path_component_is_refused() -> None:
    assert "empty path component" in refusal(parse_image_reference, "team//app")


def test_a_registry_port_must_be_numeric() -> None:
    assert refusal(parse_image_reference, "reg.io:http/app") == (
        "registry 'reg.io:http' has an invalid port 'http'"
    )


def test_an_empty_image_reference_shows_an_example() -> None:
    assert refusal(parse_image_reference, "").startswith("enter an image reference, e.g.")


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("5m", 300), ("1h30m", 5400),
                                               ("2d", 172_800)])  # fmt: skip
def test_a_duration_is_read_in_seconds(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_a_duration_without_a_unit_suggests_one() -> None:
    assert refusal(parse_duration, "30") == "'30' has no unit; add s, m, h or d (e.g. 30s)"


def test_a_duration_with_an_unknown_unit_is_refused() -> None:
    assert refusal(parse_duration, "5w") == "'5w' is not a duration; use s, m, h or d, e.g. 1h30m"
