"""Runs whose driver died: a RUNNING run nobody drives any more is settled as FAILED.

A driver killed outright (SIGKILL, the OOM killer, a closed laptop lid that never reopened) can
not mark its run; left alone, the run would read RUNNING forever. Every run records the process
that drives it (`emoai.pid`, `emoai.pid_start`, `emoai.host`); a RUNNING run on this host whose
process is gone — or is another process that reuses the pid — is marked FAILED, with the reason
in `emoai.end_reason`, whenever emoai looks at it. Runs driven on other hosts are left as they are.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Run

END_REASON_TAG = "emoai.end_reason"


def driver_identity(pid: int) -> dict[str, str]:
    """The tags that name the process driving a run."""
    from emoai_core.cluster.processes import start_time

    tags = {"emoai.pid": str(pid), "emoai.host": socket.gethostname()}
    started = start_time(pid)
    if started:
        tags["emoai.pid_start"] = started
    return tags


def driver_gone(run: Run) -> bool:
    """A RUNNING run driven from this host by a process that no longer runs."""
    from emoai_core.cluster.processes import alive, start_time

    tags = run.data.tags
    if run.info.status != "RUNNING" or tags.get("emoai.host") != socket.gethostname():
        return False
    try:
        pid = int(tags.get("emoai.pid", ""))
    except ValueError:
        return False
    if not alive(pid):
        return True
    recorded = tags.get("emoai.pid_start")
    return recorded is not None and start_time(pid) != recorded


def driven_here(run: Run) -> bool:
    """A RUNNING run whose driving process still runs on this host."""
    from emoai_core.cluster.processes import alive

    tags = run.data.tags
    if run.info.status != "RUNNING" or tags.get("emoai.host") != socket.gethostname():
        return False
    pid = tags.get("emoai.pid", "")
    return pid.isdigit() and alive(int(pid)) and not driver_gone(run)


def settle(client: MlflowClient, runs: list[Run]) -> list[Run]:
    """The same runs, each one whose driver is gone marked FAILED first (and read back)."""
    settled = []
    for run in runs:
        if driver_gone(run):
            pid = run.data.tags.get("emoai.pid")
            client.set_tag(run.info.run_id, END_REASON_TAG, f"driver process {pid} ended without finishing the run")
            client.set_terminated(run.info.run_id, status="FAILED")
            run = client.get_run(run.info.run_id)
        settled.append(run)
    return settled
