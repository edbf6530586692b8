"""The logs view (follow, filter, pause, previous, bound, save) and the describe view."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

from textual.pilot import Pilot

from adapters.base import Kind, LogOptions
from console.app import Backends, OpsConsoleApp, build_app
from console.config import Config
from console.logbuffer import LogLine
from console.models import Pod
from screens.describe import DescribeScreen
from screens.logs import LogsScreen, short_prefixes
from tests.ui.conftest import wait_for
from tests.ui.fakes import NOW
from tests.ui.ops_fakes import OpsCluster

LLAMA_PODS = ("llama-70b-7d9f-aaaaa", "llama-70b-7d9f-bbbbb")


def app_over(cluster: OpsCluster) -> OpsConsoleApp:
    return build_app(Config(), Backends(cluster), clock=lambda: NOW)


def pods(cluster: OpsCluster, *names: str) -> list[Pod]:
    return [cluster.objects[Kind.POD][f"inference/{name}"] for name in names]  # type: ignore[misc]


async def open_logs(app: OpsConsoleApp, pilot: Pilot[None], screen: LogsScreen) -> LogsScreen:
    await app.push_screen(screen)
    await pilot.pause()
    return screen


def shown(screen: LogsScreen) -> list[str]:
    return [line.text for line in screen.buffer.shown]


async def test_a_deployments_pods_are_interleaved_with_short_prefixes() -> None:
    cluster = OpsCluster()
    cluster.log_lines = {LLAMA_PODS[0]: ["a1", "a2"], LLAMA_PODS[1]: ["b1"]}
    app = app_over(cluster)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_logs(app, pilot, LogsScreen("inference", pods(cluster, *LLAMA_PODS)))
        await wait_for(pilot, lambda: {"a1", "a2", "b1"} <= set(shown(screen)))
        assert screen.view.prefixes == {LLAMA_PODS[0]: "aaaaa", LLAMA_PODS[1]: "bbbbb"}
        assert {line.source for line in screen.buffer.shown} == {0, 1}
        assert cluster.log_options[0].follow and cluster.log_options[0].tail_lines == 500


async def test_the_filter_narrows_lines_and_a_bad_regex_says_why() -> None:
    cluster = OpsCluster()
    cluster.log_lines = {LLAMA_PODS[0]: ["GET /health 200", "ERROR cuda oom", "GET /v1 200"]}
    app = app_over(cluster)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_logs(app, pilot, LogsScreen("inference", pods(cluster, LLAMA_PODS[0])))
        await wait_for(pilot, lambda: len(shown(screen)) == 3)
        assert [line.error for line in screen.buffer.shown] == [False, True, False]
        await pilot.press("slash", *"GET", "enter")
        assert shown(screen) == ["GET /health 200", "GET /v1 200"]
        await pilot.press("slash", "(")
        status = screen.query_one("#status")
        assert str(status.render()).startswith("not a regular expression")
        assert screen.buffer.pattern == "GET"


async def test_paused_lines_wait_until_resumed() -> None:
    cluster = OpsCluster()
    app = app_over(cluster)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_logs(app, pilot, LogsScreen("inference", pods(cluster, LLAMA_PODS[0])))
        await pilot.press("space")
        cluster_line = LogLine.of(LLAMA_PODS[0], "late line")
        screen._incoming.append(cluster_line)  # as the stream worker does
        await pilot.pause(0.25)
        assert shown(screen) == [] and screen.buffer.waiting == 1
        assert "PAUSED (1 waiting)" in str(screen.query_one("#status").render())
        await pilot.press("space")
        assert shown(screen) == ["late line"]


async def test_previous_asks_for_the_crashed_container_and_shows_the_apis_refusal() -> None:
    cluster = OpsCluster()
    app = app_over(cluster)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_logs(app, pilot, LogsScreen("inference", pods(cluster, LLAMA_PODS[1])))
        await pilot.press("p")
        await wait_for(pilot, lambda: bool(shown(screen)))
        assert cluster.log_options[-1].previous and not cluster.log_options[-1].follow
        assert shown(screen) == [
            '── Invalid request: previous terminated container "server" in pod '
            f'"{LLAMA_PODS[1]}" not found'
        ]


async def test_the_view_keeps_ten_thousand_lines_and_counts_the_dropped() -> None:
    cluster = OpsCluster()
    cluster.log_lines = {LLAMA_PODS[0]: [f"line {i}" for i in range(12_000)]}
    app = app_over(cluster)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_logs(app, pilot, LogsScreen("inference", pods(cluster, LLAMA_PODS[0])))
        await wait_for(pilot, lambda: screen.buffer.dropped == 2_000)
        assert len(screen.buffer.shown) == 10_000 and shown(screen)[-1] == "line 11999"
        assert "2,000 dropped" in str(screen.query_one("#status").render())


async def test_save_writes_what_is_shown_to_the_chosen_file(tmp_path: Path) -> None:
    cluster = OpsCluster()
    cluster.log_lines = {LLAMA_PODS[0]: ["one", "two"]}
    app = app_over(cluster)
    target = tmp_path / "saved.log"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_logs(app, pilot, LogsScreen("inference", pods(cluster, LLAMA_PODS[0])))
        await wait_for(pilot, lambda: len(shown(screen)) == 2)
        await pilot.press("ctrl+s")
        screen.query_one("#save-path").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
    assert target.read_text() == "one\ntwo\n"


def test_prefixes_drop_what_every_pod_name_shares() -> None:
    assert short_prefixes(["web-1", "web-2"]) == {"web-1": "1", "web-2": "2"}
    assert short_prefixes(["web-1"]) == {}


async def test_describe_shows_yaml_without_managed_fields_and_the_events() -> None:
    cluster = OpsCluster()
    app = app_over(cluster)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(DescribeScreen(Kind.DEPLOYMENT, "inference", "llama-70b"))
        text = app.screen.query_one("#yaml")
        await wait_for(pilot, lambda: "kind: Deployment" in str(text.render()))
        assert "managedFields" not in str(text.render())
        events = app.screen.query_one("#events")
        await wait_for(pilot, lambda: "ScalingReplicaSet" in str(events.render()))
        assert "Scaled up to 3" in str(events.render())


class EndlessCluster(OpsCluster):
    """Once ``flowing`` is set, streams numbered lines without end, a batch per
    wake-up, as a busy pod's socket would. The rate this view sustains is
    ``python -m bench.logs``."""

    def __init__(self) -> None:
        super().__init__()
        self.flowing = asyncio.Event()

    async def logs(self, namespace: str, pod: str, options: LogOptions) -> AsyncIterator[str]:
        await self.flowing.wait()
        n = 0
        while True:
            for _ in range(50):
                n += 1
                yield f"{n} GET /v1/completions 200 in 41 ms"
            await asyncio.sleep(0.005)


def number(line: LogLine) -> int:
    """The sequence number an ``EndlessCluster`` line starts with."""
    return int(line.text.split()[0])


async def test_keys_take_effect_and_every_line_arrives_in_order_while_lines_stream() -> None:
    cluster = EndlessCluster()
    app = app_over(cluster)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_logs(app, pilot, LogsScreen("inference", pods(cluster, LLAMA_PODS[0])))
        view, buffer = screen.view, screen.buffer
        await pilot.press("slash", *"[13]7 GET", "enter")
        cluster.flowing.set()
        await wait_for(pilot, lambda: len(buffer.lines) >= 1_000)
        # Keys are posted without the pilot's wait for an idle process: it never idles.
        wrap = view.wrap
        app.simulate_key("w")
        await wait_for(pilot, lambda: view.wrap != wrap)
        app.simulate_key("space")
        await wait_for(pilot, lambda: buffer.paused)
        held = list(buffer.lines)
        await wait_for(pilot, lambda: buffer.waiting >= 500)
        assert list(buffer.lines) == held
        app.simulate_key("space")
        await wait_for(pilot, lambda: not buffer.paused)
        numbers = [number(line) for line in buffer.lines]
        assert buffer.waiting == 0 and numbers[-1] >= number(held[-1]) + 500
        first = buffer.dropped + 1
        assert numbers == list(range(first, first + len(numbers)))
        keep = re.compile("[13]7 GET")
        assert list(buffer.shown) == [line for line in buffer.lines if keep.search(line.text)]


async def test_a_long_pause_holds_no_more_than_the_bound_and_counts_what_it_dropped() -> None:
    cluster = EndlessCluster()
    app = app_over(cluster)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_logs(app, pilot, LogsScreen("inference", pods(cluster, LLAMA_PODS[0])))
        buffer = screen.buffer
        cluster.flowing.set()
        await wait_for(pilot, lambda: buffer.dropped > 0, timeout=20)
        app.simulate_key("space")
        await wait_for(pilot, lambda: buffer.paused)
        await wait_for(pilot, lambda: buffer.waiting >= 2_000, timeout=20)
        assert len(buffer.lines) + buffer.waiting == buffer.max_lines
        status = str(screen.query_one("#status").render())
        assert re.search(r"[\d,]+ dropped · .*PAUSED \([\d,]+ waiting\)", status)
        app.simulate_key("space")
        await wait_for(pilot, lambda: not buffer.paused)
        numbers = [number(line) for line in buffer.lines]
        assert numbers == list(range(buffer.dropped + 1, buffer.dropped + 1 + len(numbers)))
