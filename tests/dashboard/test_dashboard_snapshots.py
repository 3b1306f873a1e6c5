"""Snapshot tests of the dashboard's main screens at a fixed size with fixed data.

Update after an intended change with `python -m pytest tests/test_dashboard_snapshots.py --snapshot-update`
and review the SVGs under tests/__snapshots__/.
"""

from __future__ import annotations

import time

import pytest
from dashboard_fakes import cluster_view, run, serving_view, sources

from emoai_cli.dashboard.app import DashboardApp

SIZE = (130, 36)


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Start times render in local time: pin it so snapshots match on any machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def app() -> DashboardApp:
    runs = [
        run(1),
        run(2, status="FAILED", epoch=1, val_accuracy=None, val_macro_f1=None),
        run(3, status="KILLED", epoch=2),
        run(4, status="RUNNING", epoch=3, kind="trial"),
    ]
    return DashboardApp(sources(runs, cluster_view(), serving_view()), refresh=3600)


async def first_poll(pilot) -> None:
    for _ in range(500):
        if pilot.app.polls:
            break
        await pilot.pause(0.01)
    await pilot.pause()


def test_runs_screen(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=first_poll)


def test_run_detail_screen(snap_compare):
    async def open_detail(pilot):
        await first_poll(pilot)
        await pilot.press("down", "enter")
        before = pilot.app.polls
        for _ in range(500):
            if pilot.app.polls > before:
                break
            await pilot.pause(0.01)
        await pilot.pause()

    assert snap_compare(app(), terminal_size=SIZE, run_before=open_detail)


def test_cluster_screen(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=first_poll, press=["2"])


def test_serving_screen(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=first_poll, press=["3"])


def test_filtered_runs(snap_compare):
    assert snap_compare(app(), terminal_size=SIZE, run_before=first_poll, press=["slash", *"kill"])
