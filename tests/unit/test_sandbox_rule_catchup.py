"""The sandbox's rule evaluator catches up a long gap cheaply and still agrees with
replaying every evaluation: the same alerts, states, values and start times."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from console.sandbox import rules
from console.sandbox.metrics import MetricsEngine
from console.sandbox.promql import Engine
from console.sandbox.rules import RuleEvaluator
from console.sandbox.store import ObjectStore
from console.sandbox.world import World
from tests.unit.test_promql_sandbox_series import BAD, GOOD, T0, Clock, node, pod


def serving_world(clock: Clock) -> tuple[ObjectStore, Engine]:
    """A good release whose bad successor rolls out 400 s after ``T0``."""
    store = ObjectStore()
    store.create("nodes", node())
    store.create("pods", pod("mistral-good-1", GOOD))
    engine = Engine(MetricsEngine(store, clock, seed=7))
    clock.t = T0 + 400
    store.create("pods", pod("mistral-bad-1", BAD))
    store.create("pods", pod("mistral-bad-2", BAD))
    return store, engine


def error_alerts(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for a in alerts if a["labels"]["alertname"] == "ModelServerHighErrorRate"]


def replayed(
    engine: Engine, clock: Callable[[], float], monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    """The alerts a fresh evaluator finds by replaying every evaluation."""
    with monkeypatch.context() as m:
        m.setattr(rules, "REPLAY_LIMIT", 10**6)
        return RuleEvaluator(engine, clock).alerts()


@pytest.mark.parametrize("elapsed", [100.0, 200.0, 500.0])
def test_a_reconstructed_catch_up_agrees_with_replaying_every_evaluation(
    elapsed: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(T0)
    _, engine = serving_world(clock)
    clock.t = T0 + 400 + elapsed
    reconstructed = RuleEvaluator(engine, clock).alerts()
    assert reconstructed == replayed(engine, clock, monkeypatch)
    assert error_alerts(reconstructed), "the bad release should have raised its alert"


def test_an_alert_that_began_inside_the_look_back_is_pending_then_firing() -> None:
    clock = Clock(T0)
    _, engine = serving_world(clock)
    clock.t = T0 + 400 + 90
    [pending] = error_alerts(RuleEvaluator(engine, clock).alerts())
    clock.t = T0 + 400 + 500
    [firing] = error_alerts(RuleEvaluator(engine, clock).alerts())
    assert pending["state"] == "pending" and firing["state"] == "firing"
    assert pending["activeAt"] == firing["activeAt"]


def test_a_known_alert_keeps_its_start_across_a_long_gap() -> None:
    clock = Clock(T0)
    _, engine = serving_world(clock)
    clock.t = T0 + 400 + 200
    evaluator = RuleEvaluator(engine, clock)
    [before] = error_alerts(evaluator.alerts())
    clock.t += 3600
    [after] = error_alerts(evaluator.alerts())
    assert after["activeAt"] == before["activeAt"] and after["state"] == "firing"


def count_evaluations(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make ``engine`` count the instants it evaluates (each step of a range query,
    each instant query) into the returned one-item list."""
    counted = [0]
    range_query, instant_query = engine.range, engine.instant

    def counted_range(query: str, start: float, end: float, step: float) -> Any:
        counted[0] += int((end - start) // step) + 1
        return range_query(query, start, end, step)

    def counted_instant(query: str, at: float) -> Any:
        counted[0] += 1
        return instant_query(query, at)

    monkeypatch.setattr(engine, "range", counted_range)
    monkeypatch.setattr(engine, "instant", counted_instant)
    return counted


def test_the_first_catch_up_of_the_default_world_evaluates_under_half_of_a_replay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CPU both cost is ``python -m bench.sandbox``."""
    world = World(ObjectStore(), seed=7)
    world.populate()
    engine = Engine(MetricsEngine.attach(world))
    evaluations = count_evaluations(engine, monkeypatch)
    alerts = RuleEvaluator(engine, world.now).alerts()
    reconstructing = evaluations[0]
    evaluations[0] = 0
    replayed(engine, world.now, monkeypatch)
    replaying = evaluations[0]
    assert 0 < reconstructing < replaying / 2
    assert {a["labels"]["alertname"] for a in alerts} >= {"ModelServerHighErrorRate"}
