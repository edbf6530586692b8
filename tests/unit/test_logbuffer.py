"""The logs view's buffer: bounded, filtered as lines arrive, pausable, savable."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from console.logbuffer import LogBuffer, LogLine, looks_like_error
from console.validation import ValidationError


def lines(n: int, pod: str = "web-0", start: int = 0) -> list[LogLine]:
    return [LogLine.of(pod, f"line {i}") for i in range(start, start + n)]


def texts(buffer: LogBuffer) -> list[str]:
    return [line.text for line in buffer.shown]


def test_the_buffer_keeps_the_newest_lines_and_counts_the_dropped_ones() -> None:
    buffer = LogBuffer(max_lines=3)
    buffer.extend(lines(5))
    assert texts(buffer) == ["line 2", "line 3", "line 4"]
    assert buffer.dropped == 2


def test_a_filter_keeps_matching_lines_as_they_arrive() -> None:
    buffer = LogBuffer()
    buffer.extend(lines(3))
    buffer.set_filter(r"[02]$")
    assert texts(buffer) == ["line 0", "line 2"]
    assert buffer.extend(lines(3, start=10)) == 2
    assert texts(buffer) == ["line 0", "line 2", "line 10", "line 12"]


def test_filtered_lines_leave_the_view_when_they_fall_off_the_buffer() -> None:
    buffer = LogBuffer(max_lines=3)
    buffer.set_filter("line 0|line 4")
    buffer.extend(lines(5))
    assert texts(buffer) == ["line 4"]


def test_clearing_the_filter_shows_every_kept_line_again() -> None:
    buffer = LogBuffer()
    buffer.extend(lines(4))
    buffer.set_filter("3")
    buffer.set_filter("")
    assert len(buffer.shown) == 4


def test_a_bad_pattern_is_refused_with_its_position_and_the_old_filter_stays() -> None:
    buffer = LogBuffer()
    buffer.set_filter("line 1")
    with pytest.raises(ValidationError, match=r"not a regular expression: .* at position 5"):
        buffer.set_filter("line(")
    assert buffer.pattern == "line 1"


def test_paused_lines_wait_and_join_on_resume() -> None:
    buffer = LogBuffer()
    buffer.extend(lines(2))
    buffer.pause()
    buffer.extend(lines(3, start=2))
    assert texts(buffer) == ["line 0", "line 1"]
    assert buffer.waiting == 3
    assert buffer.resume() == 3
    assert texts(buffer)[-1] == "line 4" and buffer.waiting == 0


def test_error_lines_are_marked() -> None:
    assert looks_like_error("ERROR: CUDA out of memory")
    assert looks_like_error("Traceback (most recent call last):")
    assert not looks_like_error("served 200 in 12 ms (no errors)")
    assert not looks_like_error("GET /healthz 200")


def test_saving_writes_the_shown_lines_with_their_pod(tmp_path: Path) -> None:
    buffer = LogBuffer()
    buffer.extend([LogLine.of("web-0", "hello"), LogLine.of("web-1", "bye")])
    buffer.set_filter("bye")
    target = tmp_path / "out.log"
    assert buffer.save(target, with_pod=True) == 1
    assert target.read_text() == "web-1 bye\n"


def test_a_large_batch_is_filtered_as_it_arrives_and_refiltered_whole() -> None:
    buffer = LogBuffer()
    buffer.set_filter("error|timeout")
    batch = [LogLine.of(f"web-{i % 5}", f"request {i} served in 3 ms") for i in range(10_000)]
    assert buffer.extend(batch) == 0
    assert len(buffer.lines) == 10_000 and not buffer.shown
    buffer.set_filter("served")
    assert list(buffer.shown) == batch


def numbers(held: Iterable[LogLine]) -> list[int]:
    return [int(line.text.split()[1]) for line in held]


def test_paused_lines_and_held_lines_together_stay_within_the_bound() -> None:
    buffer = LogBuffer(max_lines=5)
    buffer.extend(lines(5))
    buffer.pause()
    buffer.extend(lines(3, start=5))
    assert numbers(buffer.lines) == [3, 4] and buffer.waiting == 3
    assert buffer.dropped == 3 and len(buffer.lines) + buffer.waiting == 5


def test_a_pause_longer_than_the_bound_keeps_the_newest_lines_and_counts_every_other() -> None:
    buffer = LogBuffer(max_lines=5)
    buffer.extend(lines(4))
    buffer.pause()
    buffer.extend(lines(3, start=4))
    buffer.extend(lines(6, start=7))
    assert not buffer.lines and buffer.waiting == 5
    assert buffer.dropped == 8
    buffer.resume()
    assert numbers(buffer.lines) == [8, 9, 10, 11, 12] and buffer.dropped == 8


def test_after_a_pause_the_held_lines_continue_where_the_shown_ones_stopped() -> None:
    buffer = LogBuffer(max_lines=6)
    buffer.extend(lines(6))
    buffer.pause()
    buffer.extend(lines(2, start=6))
    buffer.extend(lines(2, start=8))
    buffer.resume()
    assert numbers(buffer.lines) == list(range(buffer.dropped, 10))


def test_a_batch_larger_than_the_bound_keeps_its_newest_lines() -> None:
    buffer = LogBuffer(max_lines=3)
    buffer.extend(lines(2))
    assert buffer.extend(lines(5, start=2)) == 3
    assert texts(buffer) == ["line 4", "line 5", "line 6"] and buffer.dropped == 4


def test_shown_lines_leaving_the_front_are_counted_for_the_view() -> None:
    buffer = LogBuffer(max_lines=4)
    buffer.set_filter("[13579]$")
    buffer.extend(lines(4))
    assert buffer.trimmed == 0
    buffer.extend(lines(3, start=4))
    assert texts(buffer) == ["line 3", "line 5"]
    assert buffer.trimmed == 1 and buffer.dropped == 3
