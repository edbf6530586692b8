"""The repaint throttle: the first change at once, a flood at most once per interval."""

from __future__ import annotations

from console.throttle import Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_first_change_after_a_quiet_spell_repaints_at_once() -> None:
    clock = Clock()
    throttle = Throttle(0.1, clock=clock)
    assert throttle.request() == 0.0
    throttle.done()
    clock.now = 5.0
    assert throttle.request() == 0.0


def test_changes_during_an_interval_wait_for_its_end_and_join_one_repaint() -> None:
    clock = Clock()
    throttle = Throttle(0.1, clock=clock)
    throttle.request()
    throttle.done()
    clock.now = 0.03
    delay = throttle.request()
    assert delay is not None and abs(delay - 0.07) < 1e-9
    assert throttle.request() is None
    clock.now = 0.1
    throttle.done()
    assert throttle.request() is not None
