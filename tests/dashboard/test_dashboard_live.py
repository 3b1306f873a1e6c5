"""The dashboard under slow sources, the serving pane's live traffic and drift, and a run's running epoch."""

from __future__ import annotations

import asyncio
import io
import threading
import time

import pytest
from dashboard_fakes import run, serving_view, sources
from rich.console import Console
from textual.widgets import Static

from emoai_cli.dashboard.app import DashboardApp
from emoai_core.tracking.progress import EpochProgress

pytestmark = pytest.mark.anyio
SLOW = 5.0  # a source this slow (an HTTP timeout, a loaded machine) must hold nothing else back


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def text_of(app: DashboardApp, selector: str) -> str:
    console = Console(width=140, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


async def test_the_runs_table_fills_within_2_s_while_cluster_and_server_are_slow():
    app = DashboardApp(sources([run(1), run(2)], serving=serving_view()), refresh=60)
    app.sources.cluster.delay = app.sources.serving.delay = SLOW
    start = time.perf_counter()
    async with app.run_test(size=(140, 40)) as pilot:
        while app.runs_pane.table.row_count == 0:
            assert time.perf_counter() - start < 2.0, "the runs table waited for the slow sources"
            await pilot.pause(0.02)
        assert app.polling  # the cluster and the server are still being read
        await pilot.press("q")


def test_q_quits_within_a_second_while_a_poll_hangs():
    """`App.run` ends in `asyncio.run`, which joins its default executor: a read there held `q` ~20 s."""
    app = DashboardApp(sources([run(1)]), refresh=60)
    gate = app.sources.runs.gate = threading.Event()  # the runs read blocks until released
    timing: dict[str, float] = {}

    async def main() -> None:
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause(0.2)
            assert app.polling
            timing["q"] = time.perf_counter()
            await pilot.press("q")

    try:
        asyncio.run(main())
        assert time.perf_counter() - timing["q"] < 1.0
    finally:
        gate.set()


async def test_the_serving_pane_shows_live_traffic_labels_and_drift():
    app = DashboardApp(sources([run(1)], serving=serving_view()), refresh=60)
    async with app.run_test(size=(140, 50)) as pilot:
        while not app.polls:
            await pilot.pause(0.02)
        await pilot.press("3")
        body = text_of(app, "#serving-body")
        for expected in ("Traffic — last 60 s", "6.9", "11 ms", "49 ms", "3 (0.7 %)", "Label mix", "joy", "41 %",
                         "Drift (last 15 min, 1,650 texts): drift", "text length: drift", "label distribution: no drift",
                         "HAProxy → replicas", "http://127.0.0.1:44217/metrics", "GET / (try it)"):  # fmt: skip
            assert expected in body, expected


async def test_the_serving_pane_without_traffic_says_so():
    view = serving_view()
    quiet = type(view)(**{**view.__dict__, "live": None, "drift": None})
    app = DashboardApp(sources([run(1)], serving=quiet), refresh=60)
    async with app.run_test(size=(140, 50)) as pilot:
        while not app.polls:
            await pilot.pause(0.02)
        await pilot.press("3")
        body = text_of(app, "#serving-body")
        assert "No predictions in the last 60 s" in body and "no predictions yet" in body


async def test_a_running_run_shows_its_epoch_between_epoch_points():
    running = run(1, status="RUNNING", epoch=2)
    app = DashboardApp(sources([running]), refresh=0.05)
    app.sources.runs.progress[running.run_id] = EpochProgress(3, 4, 120, 500, 0.412, 85.3, 143.0, time.time())
    async with app.run_test(size=(140, 40)) as pilot:
        while not app.polls:
            await pilot.pause(0.02)
        await pilot.press("enter")
        for _ in range(300):
            if app.screen.query("#detail-progress") and "step" in text_of(app, "#detail-progress"):
                break
            await pilot.pause(0.02)
        line = text_of(app, "#detail-progress")
        assert "epoch 3/4" in line and "step 120/500" in line and "24 %" in line
        assert "85.3 samples/s" in line and "epoch ends in 2m23s" in line and "loss 0.412" in line
        app.sources.runs.progress[running.run_id] = EpochProgress(3, 4, 250, 500, 0.39, 90.0, 80.0, time.time())
        for _ in range(300):
            if "step 250/500" in text_of(app, "#detail-progress"):
                break
            await pilot.pause(0.02)
        assert "step 250/500" in text_of(app, "#detail-progress")  # follows the run live
