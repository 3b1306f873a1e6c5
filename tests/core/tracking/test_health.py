"""emoai_core.tracking.health: a locked or read-only sqlite store is one UnreachableError, found before work."""

from __future__ import annotations

import sqlite3

import pytest

from emoai_core.base.errors import UnreachableError
from emoai_core.tracking import health


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "mlflow.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE runs (id TEXT)")
    con.commit()
    con.close()
    return path


def test_sqlite_targets():
    assert health.sqlite_target("sqlite:////tmp/x/mlflow.db") == ("/tmp/x/mlflow.db", False)
    assert health.sqlite_target("sqlite:///rel.db?timeout=3") == ("rel.db", False)
    assert health.sqlite_target("sqlite:///file:/tmp/m.db?mode=ro&uri=true") == ("file:/tmp/m.db?mode=ro&uri=true", True)


def test_a_usable_store_passes_and_a_missing_one_is_left_to_mlflow(db, tmp_path):
    health.check_sqlite(f"sqlite:///{db}", write=True)
    health.check_sqlite(f"sqlite:///{tmp_path / 'new.db'}", write=True)
    assert not (tmp_path / "new.db").exists()


def test_a_locked_store_is_unreachable(db, monkeypatch):
    monkeypatch.setattr(health, "LOCK_WAIT_S", 0.2)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(UnreachableError, match="is locked by another process") as info:
            health.check_sqlite(f"sqlite:///{db}", write=False)
        assert "then run this again" in info.value.hint
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_read_only_store_reads_but_refuses_writes(db):
    uri = f"sqlite:///file:{db}?mode=ro&uri=true"
    health.check_sqlite(uri, write=False)
    with pytest.raises(UnreachableError, match="is read-only"):
        health.check_sqlite(uri, write=True)
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone() == (0,)


def test_errors_met_later_are_explained():
    assert "locked" in health.explain(Exception("(sqlite3.OperationalError) database is locked"), "u").message
    assert "read-only" in health.explain(Exception("attempt to write a readonly database"), "u").message
    assert health.explain(ValueError("something else"), "u") is None


def test_a_probe_does_not_wait_for_mlflows_retries(monkeypatch):
    import os

    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "7")
    with health.quick_failure():
        assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "0"
    assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "7"
