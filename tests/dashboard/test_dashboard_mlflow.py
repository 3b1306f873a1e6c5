"""The dashboard against a real MLflow sqlite store: runs and epochs logged while it is open show up."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from emoai_cli.dashboard.app import DashboardApp
from emoai_cli.dashboard.sources import real_sources
from emoai_cli.dashboard.widgets.detail import RunDetailScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def until(pilot, check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError("the dashboard never showed it")


def names(app: DashboardApp) -> list[str]:
    table = app.runs_pane.table
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def log_epoch(client, run_id: str, epoch: int) -> None:
    from mlflow.entities import Metric

    now = int(time.time() * 1000)
    values = {"epoch": epoch, "train_loss": 1.0 / epoch, "val_loss": 0.8 / epoch, "val_accuracy": 0.5 + epoch / 10}
    values["val_macro_f1"] = 0.4 + epoch / 10
    client.log_batch(run_id, metrics=[Metric(k, float(v), now, epoch) for k, v in values.items()])


async def test_a_run_logged_while_the_app_is_open_appears_and_grows(emoai_home):
    from emoai_core.tracking.store import client as tracking_client
    from emoai_core.tracking.store import ensure_experiment

    client = tracking_client()
    experiment = ensure_experiment(client, "emoai")
    app = DashboardApp(real_sources(), refresh=0.2)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: app.polls > 0)
        assert names(app) == [] and "No runs yet" in str(app.runs_pane.query_one("#runs-note").content)

        run = client.create_run(
            experiment,
            run_name="live-run",
            tags={"emoai.kind": "train", "emoai.total_epochs": "3", "emoai.data": "gen@abc123"},
        )
        run_id = run.info.run_id
        client.log_param(run_id, "lr", "0.0002")
        log_epoch(client, run_id, 1)
        await until(pilot, lambda: names(app) == ["live-run"])
        assert str(app.runs_pane.table.get_row_at(0)[0]) == "RUNNING"
        assert app.runs_pane.table.get_row_at(0)[5] == "1/3"

        await pilot.press("enter")
        assert isinstance(app.screen, RunDetailScreen)
        screen = app.screen
        await until(pilot, lambda: screen.detail is not None and len(screen.detail.history.get("val_macro_f1", [])) == 1)
        assert screen.detail.params["lr"] == "0.0002"

        log_epoch(client, run_id, 2)
        # the run row and its history are two reads: wait until one poll saw both
        await until(
            pilot,
            lambda: len(screen.detail.history.get("val_macro_f1", [])) == 2 and screen.detail.summary.epoch == 2,
        )
        assert [e for e, _ in screen.detail.history["val_loss"]] == [1, 2]

        client.set_terminated(run_id, status="FINISHED")
        await until(pilot, lambda: screen.detail.summary.status == "FINISHED")
        await pilot.press("escape")
        await until(pilot, lambda: str(app.runs_pane.table.get_row_at(0)[0]) == "FINISHED")
