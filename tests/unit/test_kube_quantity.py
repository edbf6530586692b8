"""Kubernetes resource quantities parsed as the API parses them."""

from __future__ import annotations

from fractions import Fraction

import pytest

from adapters.kube_quantity import parse_quantity, quantity_millis, quantity_value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2", Fraction(2)),
        ("500m", Fraction(1, 2)),
        ("1Gi", Fraction(2**30)),
        ("512Mi", Fraction(512 * 2**20)),
        ("1Ki", Fraction(1024)),
        ("1e3", Fraction(1000)),
        ("1E3", Fraction(1000)),
        ("2e-3", Fraction(2, 1000)),
        ("1k", Fraction(1000)),
        ("1M", Fraction(10**6)),
        ("1E", Fraction(10**18)),
        ("1.5Gi", Fraction(3 * 2**29)),
        ("0.1", Fraction(1, 10)),
        (".5", Fraction(1, 2)),
        ("100n", Fraction(100, 10**9)),
        ("250u", Fraction(250, 10**6)),
        ("+3", Fraction(3)),
        ("-1", Fraction(-1)),
        ("1031517052Ki", Fraction(1031517052 * 1024)),
    ],
)
def test_a_quantity_string_parses_to_its_exact_value(text: str, value: Fraction) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "Gi", "1.2.3", "5 Mi", "1KB", "1ki", "1e", "abc", "1Gi "])
def test_a_malformed_quantity_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a quantity"):
        parse_quantity(text)


def test_cpu_millis_round_up_like_the_api_does() -> None:
    assert quantity_millis("500m") == 500
    assert quantity_millis("2") == 2000
    assert quantity_millis("95500m") == 95500
    assert quantity_millis("100u") == 1
    assert quantity_millis("0.1") == 100


def test_whole_values_round_up_like_the_api_does() -> None:
    assert quantity_value("1Gi") == 1073741824
    assert quantity_value("1500m") == 2
    assert quantity_value("1.8e12") == 1_800_000_000_000
    assert quantity_value("7") == 7


def test_numbers_are_accepted_as_they_are_but_booleans_are_not() -> None:
    assert parse_quantity(4) == 4
    assert parse_quantity(0.25) == Fraction(1, 4)
    with pytest.raises(ValueError):
        parse_quantity(True)
