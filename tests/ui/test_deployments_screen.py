"""The Deployments screen over a fake cluster whose data and clock are frozen."""

from __future__ import annotations

from datetime import timedelta

from textual import events
from textual.widgets import Input

from adapters.base import Kind, Unavailable
from console.config import Config
from screens.help import HelpScreen
from screens.namespace_picker import NamespacePicker
from tests.ui.conftest import AppFactory, screen_text, table, wait_for
from tests.ui.fakes import NOW, deployment


async def test_every_deployment_is_listed_by_namespace_then_name(fake_app: AppFactory) -> None:
    app, _ = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        assert table(app).row_keys == [
            "inference/llama-70b",
            "inference/mistral-7b",
            "inference/whisper",
            "platform/gateway",
            "training/trainer",
        ]
        assert table(app).cell_texts("inference/mistral-7b") == (
            "inference", "mistral-7b", "1/3", "2", "1", "2m30s", "vllm:0.6.3 +1", "4",
            "progressing",
        )  # fmt: skip
        statuses = [table(app).cell_texts(k)[-1] for k in table(app).row_keys]
        assert statuses == ["available", "progressing", "paused", "degraded", "available"]


async def test_a_scaled_deployment_updates_its_row_without_moving_the_cursor(
    fake_app: AppFactory,
) -> None:
    app, cluster = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        await pilot.press("down", "down")
        assert table(app).cursor_key == "inference/whisper"
        scaled = deployment("platform", "gateway", age=timedelta(days=40), replicas=5, ready=2)
        cluster.push(Kind.DEPLOYMENT, "MODIFIED", scaled)
        await wait_for(pilot, lambda: table(app).cell_texts("platform/gateway")[2] == "2/5")
        assert table(app).cursor_key == "inference/whisper"
        assert "2/5" in screen_text(app)


async def test_the_cursor_stays_on_its_key_when_a_row_is_added_above_it(
    fake_app: AppFactory,
) -> None:
    app, cluster = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        await pilot.press("end")
        assert table(app).cursor_key == "training/trainer"
        cluster.push(Kind.DEPLOYMENT, "ADDED", deployment("alpha", "new", age=timedelta(0)))
        await wait_for(pilot, lambda: table(app).row_count == 6)
        assert table(app).row_keys[0] == "alpha/new"
        assert table(app).cursor_key == "training/trainer"


async def test_a_deleted_row_under_the_cursor_moves_it_to_the_next_row(
    fake_app: AppFactory,
) -> None:
    app, cluster = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        await pilot.press("down")
        gone = table(app).row("inference/mistral-7b")
        assert gone is not None
        cluster.push(Kind.DEPLOYMENT, "DELETED", gone)
        await wait_for(pilot, lambda: table(app).row_count == 4)
        assert table(app).cursor_key == "inference/whisper"


async def test_slash_filters_by_substring_and_escape_restores_every_row(
    fake_app: AppFactory,
) -> None:
    app, _ = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        await pilot.press("slash", *"mistral")
        assert table(app).row_keys == ["inference/mistral-7b"]
        await pilot.press("escape")
        assert table(app).row_count == 5
        assert app.focused is table(app)


async def test_the_filter_matches_images_and_says_when_nothing_matches(
    fake_app: AppFactory,
) -> None:
    app, _ = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        await pilot.press("slash", *"vllm")
        assert table(app).row_keys == ["inference/mistral-7b"]
        await pilot.press(*"-nothing", "enter")
        assert table(app).row_count == 0
        assert "No deployments match “vllm-nothing”" in screen_text(app)


async def test_the_namespace_switcher_narrows_the_table_and_the_header(
    fake_app: AppFactory,
) -> None:
    app, _ = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        assert "all namespaces" in screen_text(app).splitlines()[0]
        await pilot.press("n")
        assert isinstance(app.screen, NamespacePicker)
        await pilot.press(*"plat", "enter")
        assert app.namespace == "platform"
        assert table(app).row_keys == ["platform/gateway"]
        assert "platform" in screen_text(app).splitlines()[0]
        await pilot.press("n", "up", "up", "enter")
        assert app.namespace == ""
        assert table(app).row_count == 5


async def test_question_mark_lists_every_binding_with_its_description(
    fake_app: AppFactory,
) -> None:
    app, _ = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {line.description for line in app.screen.lines}
        assert {"Filter", "Namespace", "Quit", "Keys", "Deployments", "Open", "Up"} <= listed
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits_and_closes_the_cluster_adapter(fake_app: AppFactory) -> None:
    app, cluster = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        await pilot.press("q")
        await pilot.pause()
    assert cluster.closed
    assert app.return_code == 0


async def test_the_header_shows_the_sandbox_and_read_only(fake_app: AppFactory) -> None:
    app, _ = fake_app(sandbox=True, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.kubernetes_health.state == "ok")
        header = screen_text(app).splitlines()[0]
        assert "⎈ sandbox" in header
        assert "READ-ONLY" in header
        assert "k8s ● ok" in header
        assert "prom ● off" in header


async def test_an_unreachable_api_is_shown_and_retried_until_it_answers(
    fake_app: AppFactory,
) -> None:
    app, cluster = fake_app()
    cluster.connect_errors.append(Unavailable("connection refused to 10.0.0.1:6443"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.kubernetes_health.state == "retrying")
        text = screen_text(app)
        assert "Backend unavailable: connection refused to 10.0.0.1:6443 — retrying in" in text
        assert "k8s ● retrying: Backend unavailable" in text.splitlines()[0]
        await wait_for(pilot, lambda: table(app).row_count == 5, timeout=3)
        assert app.kubernetes_health.state == "ok"


async def test_ages_refresh_only_the_rows_whose_text_changed(fake_app: AppFactory) -> None:
    now = [NOW]
    app, _ = fake_app(clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        now[0] = NOW + timedelta(seconds=3)
        assert table(app).refresh_cells() == 2  # 2m30s -> 2m33s and 45s -> 48s
        assert table(app).cell_texts("training/trainer")[5] == "48s"
        assert table(app).refresh_cells() == 0


async def test_the_command_palette_offers_every_action_and_namespace(
    fake_app: AppFactory,
) -> None:
    app, _ = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "escape")
        await wait_for(
            pilot, lambda: bool(app.cluster and app.cluster.stores[Kind.NAMESPACE].items)
        )
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Filter", "Namespace", "Keys", "Quit", "Deployments"} <= titles
        assert {"Namespace: all", "Namespace: platform", "Theme"} <= titles


async def test_keys_can_be_remapped_by_binding_id(fake_app: AppFactory) -> None:
    app, _ = fake_app(config=Config(keymap={"filter": "f"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        await pilot.press("f", *"gate")
        assert table(app).row_keys == ["platform/gateway"]


async def test_a_broken_watch_keeps_the_rows_says_so_and_recovers(fake_app: AppFactory) -> None:
    app, cluster = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.kubernetes_health.state == "ok")
        await wait_for(pilot, lambda: table(app).row_count == 5)
        cluster.break_watch(Kind.DEPLOYMENT, Unavailable("stream reset", title="Watch failed"))
        await wait_for(pilot, lambda: app.kubernetes_health.state == "retrying")
        text = screen_text(app)
        assert "Watch failed: stream reset — retrying (rows may be stale)" in text
        assert "k8s ● retrying: Watch failed" in text.splitlines()[0]
        assert table(app).row_count == 5
        await wait_for(pilot, lambda: app.kubernetes_health.state == "ok", timeout=3)
        assert "rows may be stale" not in screen_text(app)


async def test_text_typed_in_one_burst_after_slash_goes_to_the_filter(
    fake_app: AppFactory,
) -> None:
    """A paste or a fast typist over a slow link: `/mistral` arrives as one burst, all
    eight keys queued before the first is handled. `m` must not open the charts."""
    app, _ = fake_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: table(app).row_count == 5)
        screen = app.screen
        for key, char in [("slash", "/"), *((c, c) for c in "mistral")]:
            app.post_message(events.Key(key, char))  # queued, none handled yet
        await wait_for(pilot, lambda: table(app).row_count == 1)
        assert app.screen is screen
        assert table(app).row_keys == ["inference/mistral-7b"]
        assert screen.query_one("#filter", Input).value == "mistral"
        await pilot.press("slash")  # inside the filter, "/" is a character
        assert screen.query_one("#filter", Input).value == "mistral/"
