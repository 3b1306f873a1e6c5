"""emoai_core.tracking.liveness: a RUNNING run whose driver died on this host is settled FAILED."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from emoai_core.tracking import liveness
from emoai_core.tracking.store import client as tracking_client
from emoai_core.tracking.store import create_run


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _run(name: str, **tags: str) -> str:
    c = tracking_client()
    run_id, _ = create_run(c, "emoai", name, {"emoai.kind": "train"}, {})
    for key, value in tags.items():
        c.set_tag(run_id, key, value)
    return run_id


def test_new_runs_name_their_driver():
    run = tracking_client().get_run(_run("mine"))
    tags = run.data.tags
    assert tags["emoai.pid"] == str(os.getpid()) and tags["emoai.host"] == socket.gethostname()
    assert tags["emoai.pid_start"]
    assert not liveness.driver_gone(run) and liveness.driven_here(run)


def test_runs_list_settles_a_run_whose_driver_is_gone(cli):
    import json

    gone = _run("killed-driver", **{"emoai.pid": str(_dead_pid())})
    reused = _run("pid-reused", **{"emoai.pid_start": "1"})  # our pid, but another process's start time
    alive = _run("alive")
    elsewhere = _run("other-host", **{"emoai.pid": str(_dead_pid()), "emoai.host": "another-machine"})

    rows = {r["name"]: r for r in json.loads(cli("runs", "list", "--json").stdout)}
    assert rows["killed-driver"]["status"] == "FAILED" and rows["pid-reused"]["status"] == "FAILED"
    assert rows["alive"]["status"] == "RUNNING" and rows["other-host"]["status"] == "RUNNING"
    c = tracking_client()
    assert "ended without finishing" in c.get_run(gone).data.tags[liveness.END_REASON_TAG]
    assert c.get_run(reused).info.end_time and c.get_run(alive).info.status == "RUNNING"
    running = json.loads(cli("runs", "list", "--status", "RUNNING", "--json").stdout)
    assert {r["run_id"] for r in running} == {alive, elsewhere}


def test_runs_show_settles_too(cli):
    import json

    gone = _run("shown", **{"emoai.pid": str(_dead_pid())})
    assert json.loads(cli("runs", "show", gone, "--json").stdout)["status"] == "FAILED"


def test_resume_refuses_a_run_whose_driver_still_runs(cli):
    run_id = _run("busy")
    result = cli("train", "--resume", run_id)
    assert result.exit_code == 2 and "is still running" in result.stderr
    assert f"emoai runs stop {run_id}" in result.stderr


@pytest.mark.parametrize("status", ["FINISHED", "KILLED"])
def test_only_running_runs_are_settled(status):
    c = tracking_client()
    run_id = _run(status.lower(), **{"emoai.pid": str(_dead_pid())})
    c.set_terminated(run_id, status=status)
    run = liveness.settle(c, [c.get_run(run_id)])[0]
    assert run.info.status == status and liveness.END_REASON_TAG not in run.data.tags
