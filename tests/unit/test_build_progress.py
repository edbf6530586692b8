"""Folding build events into steps: numbering, timing, failure, cancellation, bounded memory."""

from __future__ import annotations

import tracemalloc

from console.build_progress import BuildProgress
from console.models import BuildEvent


def step(n: int, total: int, instruction: str) -> BuildEvent:
    return BuildEvent(step=n, total_steps=total, instruction=instruction)


def out(text: str) -> BuildEvent:
    return BuildEvent(output=text)


def test_steps_carry_their_number_instruction_output_and_elapsed_time() -> None:
    progress = BuildProgress(started=100.0)
    progress.apply(step(1, 2, "FROM python:3.11"), 100.5)
    progress.apply(out(" ---> Using cache"), 100.6)
    progress.apply(step(2, 2, "RUN make"), 101.0)
    progress.apply(out("cc -o app main.c\nlinking"), 102.0)
    assert [(s.number, s.instruction) for s in progress.steps] == [
        (1, "FROM python:3.11"), (2, "RUN make")
    ]  # fmt: skip
    first, second = progress.steps
    assert first.elapsed(200.0) == 0.5 and first.cached
    assert list(second.lines) == ["cc -o app main.c", "linking"]
    assert second.elapsed(104.0) == 3.0
    assert progress.status_line(104.0) == "step 2/2 RUN make · 3.0 s (total 4.0 s)"


def test_a_successful_build_ends_with_its_image() -> None:
    progress = BuildProgress(started=0.0)
    progress.apply(step(1, 1, "FROM scratch"), 0.1)
    progress.apply(BuildEvent(image_id="sha256:" + "ab" * 32, done=True), 2.0)
    assert progress.result == "succeeded" and progress.failed_step is None
    assert progress.status_line(9.0) == "built abababababab in 2.0 s"


def test_a_failed_build_points_at_the_failing_step_and_keeps_the_daemon_s_error() -> None:
    progress = BuildProgress(started=0.0)
    progress.apply(step(1, 3, "FROM busybox"), 0.1)
    progress.apply(step(2, 3, "RUN make"), 0.2)
    progress.apply(out("make: *** No rule to make target"), 0.3)
    error = "The command '/bin/sh -c make' returned a non-zero code: 2"
    progress.apply(BuildEvent(error=error, done=True), 0.5)
    progress.apply(step(3, 3, "CMD x"), 0.6)
    assert progress.result == "failed"
    assert progress.failed_step is progress.steps[1]
    assert progress.error == error and len(progress.steps) == 2
    assert progress.status_line(1.0) == "failed at step 2/3 RUN make after 0.5 s"


def test_output_before_the_first_step_is_kept_as_preparing() -> None:
    progress = BuildProgress(started=0.0)
    progress.apply(out("Sending build context to Docker daemon 2kB"), 0.1)
    assert progress.steps[0].number == 0
    assert progress.step_label(progress.steps[0]) == "preparing"


def test_cancelling_ends_the_build_as_cancelled() -> None:
    progress = BuildProgress(started=0.0)
    progress.apply(step(1, 2, "RUN sleep 60"), 0.1)
    progress.cancel(5.0)
    assert progress.result == "cancelled" and progress.done
    assert progress.status_line(9.0) == "cancelled during step 1/2 RUN sleep 60 after 5.0 s"


def test_a_hundred_thousand_lines_keep_memory_bounded_and_are_counted() -> None:
    progress = BuildProgress(started=0.0, max_lines=2_000)
    progress.apply(step(1, 1, "RUN ./generate"), 0.0)
    tracemalloc.start()
    for n in range(100_000):
        progress.apply(out(f"line {n:06d} " + "x" * 60), n / 1000)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    only = progress.steps[0]
    assert len(only.lines) == 2_000 and only.dropped == 98_000
    assert only.lines[-1].startswith("line 099999") and progress.lines_received == 100_000
    assert current < 2_000_000


def test_a_huge_line_is_cut() -> None:
    progress = BuildProgress(started=0.0, max_line_length=100)
    progress.apply(out("y" * 10_000), 0.0)
    assert len(progress.steps[0].lines[0]) == 100


def test_a_batch_of_events_folds_in_the_order_it_arrived() -> None:
    progress = BuildProgress(started=0.0)
    progress.apply_all(
        [step(1, 2, "RUN a"), out("a1"), out("a2"), step(2, 2, "RUN b"), out("b1")], 1.0
    )
    assert [list(s.lines) for s in progress.steps] == [["a1", "a2"], ["b1"]]
    assert progress.steps[0].finished == 1.0 and progress.steps[1].finished is None


def test_the_steps_version_moves_when_a_step_changes_not_with_each_line() -> None:
    progress = BuildProgress(started=0.0)
    progress.apply(step(1, 2, "FROM python:3.11"), 0.1)
    started = progress.steps_version
    progress.apply_all([out(f"line {n}") for n in range(50)], 0.2)
    assert progress.steps_version == started
    progress.apply(out(" ---> Using cache"), 0.3)
    cached = progress.steps_version
    assert cached > started
    progress.apply(step(2, 2, "RUN make"), 0.4)
    assert progress.steps_version > cached
    progress.apply(BuildEvent(image_id="sha256:" + "ab" * 32, done=True), 0.5)
    assert progress.steps_version > cached + 1
