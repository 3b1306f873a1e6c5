"""emoai_core.cluster.processes and in_process: Ray processes found by the folder they are tied to, ended, swept."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from emoai_core.cluster import in_process, processes


def _spawn(script: str) -> subprocess.Popen:
    proc = subprocess.Popen(["bash", "-c", script], start_new_session=True)
    return proc


def _wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("EMOAI_RAY_TEMP_ROOT", str(tmp_path / "ray-root"))
    monkeypatch.setattr(in_process, "_state", {})  # never the session's own in-process Ray
    target = tmp_path / "ray-root" / "emoai-ray-x"
    (target / "logs").mkdir(parents=True)
    return target


def test_an_agent_known_only_by_its_title_is_found_by_the_file_it_holds(folder):
    """What outlived 'cluster down': `ray::DashboardAgent`, a bare title, with its log open in the folder."""
    log = folder / "logs" / "dashboard_agent.log"
    agent = _spawn(f'exec 3>>"{log}"; exec -a "ray::DashboardAgent" sleep 60')
    unrelated = _spawn(f'exec 3>>"{folder / "logs" / "mine.log"}"; exec -a "tail-f" sleep 60')  # not Ray
    named = _spawn(f'exec -a "raylet --temp_dir={folder}" sleep 60')
    try:
        assert _wait_for(lambda: {agent.pid, named.pid} <= set(processes.tied_to(str(folder))))
        assert unrelated.pid not in processes.tied_to(str(folder))
        ended = processes.end_tied(str(folder), timeout=2)
        assert {agent.pid, named.pid} <= set(ended)
        assert agent.wait(5) and named.wait(5)  # ended by a signal: non-zero
        assert unrelated.poll() is None
    finally:
        for proc in (agent, unrelated, named):
            proc.kill()
            proc.wait()


def test_a_process_in_another_folder_is_never_touched(folder, tmp_path):
    other = tmp_path / "ray-of-the-user"
    other.mkdir()
    theirs = _spawn(f'exec 3>>"{other / "log"}"; exec -a "ray::DashboardAgent" sleep 60')
    try:
        time.sleep(0.3)
        assert processes.tied_to(str(folder)) == []
        processes.end_tied(str(folder), timeout=1)
        assert theirs.poll() is None
    finally:
        theirs.kill()
        theirs.wait()


def test_claim_makes_an_owned_folder_and_release_ends_its_processes_and_removes_it(folder):
    made = Path(in_process.claim())
    try:
        assert made.parent == folder.parent and made.name.startswith(in_process.PREFIX)
        assert (made / in_process.OWNER_FILE).read_text().split()[0] == str(os.getpid())
        assert in_process.claim() == str(made)  # one per process
        agent = _spawn(f'exec 3>>"{made / "agent.log"}"; exec -a "ray::RuntimeEnvAgent" sleep 60')
        assert _wait_for(lambda: agent.pid in processes.tied_to(str(made)))
        in_process.release()
        assert agent.wait(5) != 0 and not made.exists() and in_process.current() is None
    finally:
        in_process.release()


def test_abandon_kills_at_once(folder):
    made = Path(in_process.claim())
    agent = _spawn(f'trap "" TERM; exec 3>>"{made / "agent.log"}"; exec -a "ray::DashboardAgent" sleep 60')
    try:
        assert _wait_for(lambda: agent.pid in processes.tied_to(str(made)))
        in_process.abandon()
        assert agent.wait(5) == -9 and not made.exists()
    finally:
        agent.kill()
        agent.wait()


def test_sweep_removes_folders_whose_owner_died_and_keeps_live_ones(folder):
    root = folder.parent
    dead = subprocess.Popen(["true"])
    dead.wait()
    orphan = root / f"{in_process.PREFIX}orphan"
    orphan.mkdir()
    (orphan / in_process.OWNER_FILE).write_text(f"{dead.pid} 1\n")
    live = root / f"{in_process.PREFIX}live"
    live.mkdir()
    (live / in_process.OWNER_FILE).write_text(f"{os.getpid()} {processes.start_time(os.getpid())}\n")
    reused = root / f"{in_process.PREFIX}reused"  # the pid lives, but it is another process now
    reused.mkdir()
    (reused / in_process.OWNER_FILE).write_text(f"{os.getpid()} 1\n")
    cluster = root / "emoai-ray-cluster"  # a cluster folder: 'cluster down' owns it, never the sweep
    cluster.mkdir()
    agent = _spawn(f'exec 3>>"{orphan / "agent.log"}"; exec -a "ray::DashboardAgent" sleep 60')
    try:
        assert _wait_for(lambda: agent.pid in processes.tied_to(str(orphan)))
        swept = in_process.sweep()
        assert sorted(swept) == sorted([str(orphan), str(reused)])
        assert agent.wait(5) == -9
        assert live.exists() and cluster.exists() and not orphan.exists() and not reused.exists()
    finally:
        agent.kill()
        agent.wait()
