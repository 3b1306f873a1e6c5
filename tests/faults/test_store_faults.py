"""The MLflow store locked, read-only or unreachable: exit 3 with a hint, nothing half-written."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from harness import emoai, one_line_error, record

from emoai_core.cluster.local_ray import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def store(env, emoai_home, tiny_model_dir, gen_data):
    """A store with one registered, promotable run (no Ray needed)."""
    from fixtures import LABELS

    from emoai_core.model.labels import LabelMap
    from emoai_core.tracking.registry import log_model
    from emoai_core.tracking.store import client, ensure_experiment

    c = client()
    run = c.create_run(ensure_experiment(c, "emoai"), run_name="trained").info
    log_model(run.run_id, tiny_model_dir, LabelMap.from_names(LABELS), {}, max_length=32)
    c.set_terminated(run.run_id, status="FINISHED")
    return {"db": emoai_home / "mlflow.db", "run_id": run.run_id, "data": gen_data}


def _snapshot(db):
    con = sqlite3.connect(db)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchall()
            for t in ("runs", "model_versions", "registered_model_aliases", "tags", "params")
        }
    finally:
        con.close()


@pytest.fixture
def locked(store):
    """Another process holds the store's write lock (an exclusive transaction) for the whole test."""
    ready, done = threading.Event(), threading.Event()

    def hold():
        con = sqlite3.connect(store["db"], isolation_level=None, check_same_thread=False)
        con.execute("BEGIN EXCLUSIVE")
        ready.set()
        done.wait(600)
        con.execute("ROLLBACK")
        con.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    ready.wait(30)
    yield store
    done.set()
    thread.join(30)


def _commands(store):
    return {
        "runs list": ("runs", "list"),
        "train": ("train", "--data", store["data"], "--epochs", "1"),
        "runs promote": ("runs", "promote", store["run_id"]),
    }


@pytest.mark.parametrize("command", ["runs list", "train", "runs promote"])
def test_a_locked_store_is_exit_3_and_nothing_is_written(env, emoai_home, locked, command):
    started = time.monotonic()
    result = emoai(env, *_commands(locked)[command])
    assert result.code == 3, result.stderr
    assert one_line_error(result.stderr) and "is locked by another process" in result.stderr
    took = time.monotonic() - started
    assert took < 60 and not result.left
    assert not (emoai_home / "models").exists()  # no local copy
    record(f"locked store ({command})", survived=True, data_lost=0, recovery_s=took)


@pytest.mark.parametrize("command", ["train", "runs promote"])
def test_a_read_only_store_is_exit_3_and_nothing_is_written(env, emoai_home, store, command):
    before = _snapshot(store["db"])
    read_only = {**env, "EMOAI_TRACKING_URI": f"sqlite:///file:{store['db']}?mode=ro&uri=true"}
    result = emoai(read_only, *_commands(store)[command])
    assert result.code == 3, result.stderr
    assert one_line_error(result.stderr) and "is read-only" in result.stderr
    assert _snapshot(store["db"]) == before and not (emoai_home / "models").exists() and not result.left
    listed = emoai(read_only, "runs", "list", "--json")  # reading still works
    assert listed.code == 0 and listed.json()[0]["run_id"] == store["run_id"]
    record(f"read-only store ({command})", survived=True, data_lost=0, recovery_s=0.0)


@pytest.mark.parametrize("command", ["runs list", "train"])
def test_an_unreachable_tracking_server_is_exit_3_at_once(env, emoai_home, gen_data, command):
    started = time.monotonic()
    away = {**env, "EMOAI_TRACKING_URI": f"http://127.0.0.1:{free_port()}"}
    args = ("runs", "list") if command == "runs list" else ("train", "--data", gen_data, "--epochs", "1")
    result = emoai(away, *args)
    took = time.monotonic() - started
    assert result.code == 3, result.stderr
    assert one_line_error(result.stderr) and "is unreachable" in result.stderr
    assert took < 60, took  # MLflow's own retries took 4 minutes
    assert not result.left
    record(f"unreachable tracking server ({command})", survived=True, data_lost=0, recovery_s=took)
