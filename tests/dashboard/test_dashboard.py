"""Pilot tests of `emoai dashboard` with fake sources: navigation, filter, detail, polling, actions."""

from __future__ import annotations

import io
import threading
from dataclasses import replace

import pytest
from dashboard_fakes import cluster_view, run, serving_view, sources
from rich.console import Console
from textual.widgets import Static, TabbedContent

from emoai_cli.dashboard.app import DashboardApp, Polled, Snapshot
from emoai_cli.dashboard.widgets.detail import RunDetailScreen
from emoai_cli.dashboard.widgets.modals import ConfirmScreen, HelpScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def text_of(app: DashboardApp, selector: str) -> str:
    """What a Static shows, as plain text (markup and rich renderables both rendered)."""
    console = Console(width=140, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


async def settle(pilot, app: DashboardApp, polls: int = 1, since: int | None = None) -> None:
    """Wait until `polls` more polls than `since` (default: now) have been rendered."""
    target = (app.polls if since is None else since) + polls
    for _ in range(500):
        if app.polls >= target:
            break
        await pilot.pause(0.01)
    assert app.polls >= target, "the dashboard stopped polling"
    await pilot.pause()


async def until_mounted(pilot, app: DashboardApp, selector: str) -> None:
    """A pushed screen composes on the next turns of the event loop: wait for its widget."""
    for _ in range(500):
        if app.screen.query(selector):
            return
        await pilot.pause(0.01)
    raise AssertionError(f"{selector} never appeared")


def row_names(app: DashboardApp) -> list[str]:
    table = app.runs_pane.table
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def make(runs=None, cluster=None, serving=None, refresh: float = 0.05) -> DashboardApp:
    return DashboardApp(sources(runs, cluster, serving), refresh=refresh)


async def test_runs_table_lists_newest_first_with_metrics():
    app = make([run(1), run(3), run(2, status="RUNNING", epoch=2)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        assert row_names(app) == ["run-3", "run-2", "run-1"]
        status, *_rest = app.runs_pane.table.get_row_at(1)
        assert str(status) == "RUNNING" and "yellow" in str(status.style)
        assert app.runs_pane.table.get_row_at(1)[5] == "2/4"


async def test_enter_opens_the_detail_view_and_escape_returns():
    app = make([run(1), run(2)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("down", "enter")
        assert isinstance(app.screen, RunDetailScreen) and app.screen.run_id == run(1).run_id
        await settle(pilot, app)
        head = text_of(app, "#detail-head")
        assert "run-1" in head and "v3 @production" in head and "epoch 4/4" in head
        facts = text_of(app, "#detail-facts")
        assert "lr" in facts and "0.0002" in facts and "latest val_macro_f1" in facts
        await pilot.press("escape")
        assert not isinstance(app.screen, RunDetailScreen)


async def test_detail_follows_a_running_run():
    running = run(1, status="RUNNING", epoch=1)
    app = make([running])
    fake = app.sources.runs
    fake.history[running.run_id] = {"val_macro_f1": [(1, 0.7)]}
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.detail.history["val_macro_f1"] == [(1, 0.7)]
        fake.history[running.run_id] = {"val_macro_f1": [(1, 0.7), (2, 0.8)]}
        fake.items = [replace(running, epoch=2)]
        await settle(pilot, app, 2)
        assert app.screen.detail.history["val_macro_f1"] == [(1, 0.7), (2, 0.8)]
        assert "epoch 2/4" in text_of(app, "#detail-head")


async def test_a_poll_that_lands_before_the_detail_screen_is_composed_is_drawn_on_mount():
    # seen under load: enter pushed the screen, the poll answered before it was composed, and
    # drawing into it raised NoMatches (the app crashed)
    first = run(1)
    app = make([first])
    app.sources.runs.history[first.run_id] = {"val_macro_f1": [(1, 0.7)]}
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        screen = RunDetailScreen(first.run_id)
        app.push_screen(screen)
        screen.show(app.sources.runs.detail(first.run_id))  # before compose: kept, not drawn
        await until_mounted(pilot, app, "#detail-head")
        await pilot.pause()
        assert screen.detail is not None and screen.detail.history["val_macro_f1"] == [(1, 0.7)]
        assert "run-1" in text_of(app, "#detail-head")


async def test_filter_narrows_the_table_and_escape_clears_it():
    app = make([run(1), run(2, status="FAILED"), run(3)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"failed")
        assert row_names(app) == ["run-2"]
        assert "1 of 3 runs" in text_of(app, "#runs-note")
        await pilot.press("enter")  # keeps the filter, back to the table
        await settle(pilot, app)
        assert row_names(app) == ["run-2"]
        await pilot.press("escape")
        assert row_names(app) == ["run-3", "run-2", "run-1"]


async def test_new_runs_appear_without_restart():
    app = make([run(1)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        assert row_names(app) == ["run-1"]
        app.sources.runs.items.append(run(5, status="RUNNING", epoch=1))
        await settle(pilot, app, 2)
        assert row_names(app) == ["run-5", "run-1"]


async def test_cursor_stays_on_the_same_run_across_refreshes():
    app = make([run(1), run(2)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("down")
        assert app.runs_pane.selected().name == "run-1"
        app.sources.runs.items.append(run(7))
        await settle(pilot, app, 2)
        assert row_names(app)[0] == "run-7" and app.runs_pane.selected().name == "run-1"


async def test_pause_stops_polling_and_r_refreshes_now():
    app = make([run(1)], refresh=0.05)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("p")
        assert "paused" in app.sub_title
        await pilot.pause(0.1)  # let a poll already in flight land
        calls = app.sources.runs.calls
        app.sources.runs.items.append(run(2))
        await pilot.pause(0.4)
        assert app.sources.runs.calls == calls and row_names(app) == ["run-1"]
        before = app.polls
        await pilot.press("r")
        await settle(pilot, app, since=before)
        assert row_names(app) == ["run-2", "run-1"]
        await pilot.press("p")
        assert "live" in app.sub_title


async def test_polls_never_overlap():
    app = make([run(1)], refresh=0.02)
    app.sources.runs.delay = 0.15
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(4):
            await pilot.press("r")
        await settle(pilot, app, 3)
        assert app.sources.runs.max_in_flight == 1


async def test_keys_stay_responsive_while_a_slow_poll_runs():
    app = make([run(1), run(2)], refresh=60)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app, since=0)  # the poll on mount; no timer tick comes for a minute
        gate = app.sources.runs.gate = threading.Event()
        await pilot.press("r")  # a poll starts on a worker thread and blocks until the gate opens
        assert app.polling
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen) and app.polling  # handled while the poll still blocks
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        before = app.polls
        gate.set()
        await settle(pilot, app, since=before)
        assert not app.polling


async def test_empty_states_name_the_command_that_fills_them():
    app = make()
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        assert "No runs yet" in text_of(app, "#runs-note") and "emoai train" in text_of(app, "#runs-note")
        assert app.runs_pane.table.row_count == 0
        await pilot.press("2")
        assert app.query_one(TabbedContent).active == "cluster"
        assert "emoai cluster up" in text_of(app, "#cluster-body")
        await pilot.press("3")
        assert "emoai serve --detach" in text_of(app, "#serving-body")


async def test_the_chosen_pane_stays_chosen_across_polls():
    # a poll used to focus the runs table whenever nothing had focus, and focusing a widget on a
    # hidden tab makes TabbedContent switch back to it: "2" showed the cluster for under 2 s
    app = make([run(1)], cluster=cluster_view())
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app, 2)
        assert app.query_one(TabbedContent).active == "cluster"
        await pilot.press("1")
        await settle(pilot, app)
        assert app.query_one(TabbedContent).active == "runs" and app.focused is app.runs_pane.table


async def test_a_failing_source_is_reported_in_its_pane():
    app = make([run(1)])
    app.sources.runs.fail = "database is locked"
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        assert "Cannot read runs: database is locked" in text_of(app, "#runs-note")
        app.sources.runs.fail = None
        await settle(pilot, app, 2)
        assert row_names(app) == ["run-1"] and text_of(app, "#runs-note").strip() == ""


async def test_cluster_and_serving_panes():
    app = make([run(1)], cluster=cluster_view(cpu_used=2.0), serving=serving_view())
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        body = text_of(app, "#cluster-body")
        assert "http://127.0.0.1:8265" in body and "CPUs in use 3/4" in body
        assert "10.0.0.2" in body and "{CPU: 1} × 2" in body and "emoai-1234" in body
        assert "6.0/24.0 GiB" in body
        await pilot.press("3")
        body = text_of(app, "#serving-body")
        assert "http://127.0.0.1:8000" in body and "v3" in body and "RUNNING × 2" in body


async def test_promote_asks_first_and_yes_promotes():
    app = make([run(1), run(2)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("down", "m")
        assert isinstance(app.screen, ConfirmScreen) and "run-1" in app.screen.question
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.sources.runs.promoted == [run(1).run_id]


async def test_promote_answered_no_does_nothing():
    app = make([run(1)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("m", "n")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and app.sources.runs.promoted == []


async def test_promote_refuses_a_run_that_has_not_finished():
    app = make([run(1, status="RUNNING")])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("m")
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("only a finished run" in n.message for n in app._notifications)


async def test_stop_a_running_run_from_its_detail_view():
    app = make([run(1, status="RUNNING", epoch=1)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen) and "KILLED" in app.screen.question
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await settle(pilot, app)
        assert app.sources.runs.stopped == [run(1).run_id]
        assert app.screen.detail.summary.status == "KILLED"


async def test_a_poll_landing_during_shutdown_is_dropped():
    """A poll thread can finish while the app tears its widgets down; rendering it must not crash."""
    app = make([run(1)], refresh=60)
    snapshot = Snapshot(runs=[run(1), run(2)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app, since=0)  # the first poll, on mount; the next is a minute away
        await app.runs_pane.table.remove()  # the table goes first when the screen is torn down
        app.on_polled(Polled(snapshot))
        rendered = app.polls
    assert rendered == 1
    app.on_polled(Polled(snapshot))  # after shutdown: nothing left to draw on
    assert app.polls == 1


async def test_stop_refuses_a_finished_run():
    app = make([run(1)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("x")
        assert not isinstance(app.screen, ConfirmScreen) and app.sources.runs.stopped == []
        assert any("not running" in n.message for n in app._notifications)


async def test_help_screen_and_command_palette_list_the_actions():
    app = make([run(1)])
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await until_mounted(pilot, app, "#help-text")
        assert "promote" in text_of(app, "#help-text")
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Promote selected run", "Stop selected run", "Pause / resume updates", "Refresh now"):
            assert title in titles
