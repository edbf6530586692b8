"""Chart time ranges (parsing, presets, aligned windows) and unit formatting."""

from __future__ import annotations

import pytest

from console.timerange import (
    PRESETS,
    RangeError,
    format_range,
    max_points,
    next_preset,
    parse_range,
    window,
)
from console.units import format_value


@pytest.mark.parametrize(("text", "seconds"), [
    ("15m", 900), ("1h", 3600), ("6h", 21600), ("24h", 86400), ("2h", 7200), ("30m", 1800),
    ("1h30m", 5400), (" 1D ", 86400), ("90s", 90), ("1w", 604800),
])
def test_ranges_are_read_in_prometheus_duration_syntax(text: str, seconds: float) -> None:
    assert parse_range(text) == seconds


@pytest.mark.parametrize(("text", "message"), [
    ("", "enter a range such as 30m"),
    ("30", "has no unit: write 30m, 30h or 30d"),
    ("2x", "cannot read “2x”"),
    ("1h 30m", "cannot read “ 30m”"),
    ("30m1h", "units must go from largest to smallest"),
    ("1h1h", "units must go from largest to smallest"),
    ("30s", "too short: the shortest range is 1m"),
    ("8d", "too long: the longest range is 7d"),
    ("-1h", "cannot read “-1h”"),
])
def test_a_bad_range_says_precisely_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(RangeError, match=message):
        parse_range(text)


def test_ranges_are_written_back_in_their_shortest_form() -> None:
    assert [format_range(s) for s in (900, 5400, 86400, 604800, 90)] == [
        "15m", "1h30m", "1d", "1w", "1m30s"]


def test_the_presets_cycle_and_a_custom_range_moves_to_the_next_longer_preset() -> None:
    assert [next_preset(p) for p in PRESETS] == [3600, 21600, 86400, 900]
    assert next_preset(7200) == 21600


def test_a_window_is_aligned_to_its_step_so_refreshes_within_a_step_ask_the_same() -> None:
    first, later = window(3600, 1_000_020.0, 80), window(3600, 1_000_049.0, 80)
    assert first == later
    assert first.step == 30 and first.end % 30 == 0 and first.end - first.start == 3600
    assert first.points <= max_points(80) == 160
    assert window(3600, 1_000_051.0, 80).end == first.end + 30


def test_a_chart_never_asks_for_more_than_prometheus_allows() -> None:
    assert max_points(10_000) == 11_000 and max_points(0) == 2


@pytest.mark.parametrize(("value", "unit", "text"), [
    (12.345, "req/s", "12.3 req/s"), (1530, "req/s", "1.53k req/s"), (0.0523, "ratio", "5.23%"),
    (0, "ratio", "0%"), (87, "%", "87%"), (0.25, "s", "250 ms"), (2.5, "s", "2.5 s"),
    (0.00042, "s", "420 µs"), (3 * 2**30, "bytes", "3 GiB"), (512, "bytes", "512 B"),
    (0.1234, "", "0.123"), (2_500_000, "", "2.5M"), (float("nan"), "s", "NaN"),
    (float("inf"), "ratio", "+Inf"), (-0.5, "s", "-500 ms"),
])
def test_values_are_written_by_unit(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit) == text
