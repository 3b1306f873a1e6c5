"""Whether the MLflow store can be used: answering, not locked, writable — asked before work starts.

A local sqlite store locked by another process made commands wait ~18 s and fail with a
multi-line SQL error (exit 1); an unreachable tracking server made them retry for 4 minutes. The
store is probed first instead, each failure becomes one `UnreachableError` (exit 3) with a hint,
and nothing is written until the probe passes. `explain` turns the same failures met later (the
store locked mid-command) into the same errors.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator

from emoai_core.base.errors import UnreachableError

LOCK_WAIT_S = 10.0  # how long a command waits for another writer (a training run logging) to finish
PROBE_RETRIES = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "10"}
_LOCKED = ("database is locked", "database table is locked")
_READ_ONLY = ("readonly database", "read-only file system", "unable to open database file")


def sqlite_target(uri: str) -> tuple[str, bool]:
    """The database of a `sqlite:///` URI for `sqlite3.connect`, and whether it is an SQLite URI (`file:`)."""
    rest = uri.split("sqlite:///", 1)[1] if uri.startswith("sqlite:///") else uri.split("sqlite://", 1)[-1]
    if rest.startswith("file:"):
        return rest, True
    return rest.split("?", 1)[0], False


def _locked(uri: str) -> UnreachableError:
    return UnreachableError(
        f"the MLflow store {uri} is locked by another process",
        "wait for the other emoai or mlflow command to finish (or stop it), then run this again",
    )


def _read_only(uri: str) -> UnreachableError:
    return UnreachableError(
        f"the MLflow store {uri} is read-only: nothing can be recorded",
        "make the file and its folder writable, or point --tracking-uri / EMOAI_HOME at a writable store",
    )


def explain(exc: BaseException, uri: str) -> UnreachableError | None:
    """The store error behind `exc` (locked, read-only), or None when it is something else."""
    text = str(exc).lower()
    if any(marker in text for marker in _LOCKED):
        return _locked(uri)
    if any(marker in text for marker in _READ_ONLY):
        return _read_only(uri)
    return None


def check_sqlite(uri: str, *, write: bool) -> None:
    """Open the sqlite store (waiting up to LOCK_WAIT_S for a writer) and, with `write`, try a rolled-back write."""
    database, as_uri = sqlite_target(uri)
    if not as_uri and not os.path.exists(database):
        return  # MLflow creates it
    try:
        con = sqlite3.connect(database, timeout=LOCK_WAIT_S, uri=as_uri, isolation_level=None)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if write:
                con.execute("BEGIN IMMEDIATE")
                version = int(con.execute("PRAGMA user_version").fetchone()[0])
                con.execute(f"PRAGMA user_version = {version}")  # a real write, rolled back
                con.execute("ROLLBACK")
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise explain(exc, uri) or UnreachableError(
            f"the MLflow store {uri} cannot be opened: {str(exc).splitlines()[0][:200]}",
            "check --tracking-uri / EMOAI_HOME",
        ) from None


@contextlib.contextmanager
def quick_failure() -> Iterator[None]:
    """MLflow's HTTP client retries an unreachable server for minutes; a probe should not."""
    saved = {key: os.environ.get(key) for key in PROBE_RETRIES}
    os.environ.update(PROBE_RETRIES)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
