"""How emoai runs Ray: workers at niceness 0 (Ray says 15), raylet messages on stderr, no idle helpers locally."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def test_local_nodes_start_workers_at_niceness_zero_unless_the_user_chose(monkeypatch):
    from emoai_core.cluster.local_ray import _env

    monkeypatch.delenv("RAY_worker_niceness", raising=False)
    assert _env()["RAY_worker_niceness"] == "0"
    monkeypatch.setenv("RAY_worker_niceness", "10")
    assert _env()["RAY_worker_niceness"] == "10"


IN_PROCESS_PROBE = (
    "import os, ray\n"
    "from ray._private import worker\n"
    "from emoai_core.cluster.ray_env import connect\n"
    "assert connect(num_cpus=1) == 'local'\n"
    "try:\n"
    "    print(ray.get(ray.remote(lambda: os.nice(0)).remote()))\n"
    "    print('log_monitor' in worker._global_node.all_processes)\n"
    "    print(os.environ.get('REPORTER_UPDATE_INTERVAL_MS'))\n"
    "    print(ray.get(ray.remote(lambda: os.environ.get('GOMP_SPINCOUNT', '-')).remote()))\n"
    "finally:\n"
    "    ray.shutdown()\n"
)


def _probe_in_process_ray(**env: str) -> list[str]:
    """In a subprocess: the test session keeps its own shared Ray (conftest.ray_session)."""
    proc = subprocess.run(
        [sys.executable, "-c", IN_PROCESS_PROBE],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-4:]


@pytest.mark.slow
def test_in_process_ray_runs_tasks_at_niceness_zero_without_a_log_monitor(emoai_home, monkeypatch):
    monkeypatch.delenv("EMOAI_DEBUG", raising=False)
    monkeypatch.delenv("REPORTER_UPDATE_INTERVAL_MS", raising=False)
    nice, log_monitor, reporter_ms, spin = _probe_in_process_ray()
    assert nice == "0"
    assert spin == "10000000"  # torch's OpenMP workers spin longer in Ray Train's worker thread
    assert log_monitor == "False"  # worker output is not sent to the driver, so nothing reads it
    assert reporter_ms == "60000"


@pytest.mark.slow
def test_debug_keeps_the_log_monitor_and_the_users_reporter_interval_wins(emoai_home, monkeypatch):
    monkeypatch.delenv("EMOAI_DEBUG", raising=False)
    _, log_monitor, reporter_ms, _ = _probe_in_process_ray(
        EMOAI_DEBUG="1", REPORTER_UPDATE_INTERVAL_MS="2000"
    )
    assert log_monitor == "True"  # EMOAI_DEBUG streams worker output to the terminal through it
    assert reporter_ms == "2000"


def test_ray_raylet_messages_go_to_stderr_not_stdout(capsys):
    # CI: a raylet warning printed on stdout broke the JSON of `emoai train --json`
    from ray._private import worker

    from emoai_core.cluster.ray_env import ray_messages_to_stderr

    ray_messages_to_stderr()
    ray_messages_to_stderr()  # idempotent: wrapped once
    worker.print_to_stdstream(
        {"lines": ["WARNING: 4 PYTHON worker processes"], "pid": "raylet", "is_err": False}, False
    )
    out, err = capsys.readouterr()
    assert out == "" and "4 PYTHON worker processes" in err


def test_ray_train_cluster_helpers_are_off_only_on_ray_run_on_this_machine(emoai_home, monkeypatch):
    from emoai_core.cluster.ray_env import LOCAL_TRAIN_ENV, lighten_local_train
    from emoai_core.cluster.state import write_state

    for key in LOCAL_TRAIN_ENV:  # set then unset: monkeypatch restores what the test leaves
        monkeypatch.setenv(key, "unset")
        monkeypatch.delenv(key)
    write_state({"provider": "aws", "address": "10.0.0.5:6379"})
    lighten_local_train("10.0.0.5:6379")  # a cloud cluster keeps its preemption watcher and metrics
    assert not any(key in os.environ for key in LOCAL_TRAIN_ENV)
    write_state({"provider": "local", "address": "127.0.0.1:6379"})
    lighten_local_train("10.0.0.9:6379")  # an --address elsewhere is not the local cluster
    assert not any(key in os.environ for key in LOCAL_TRAIN_ENV)
    lighten_local_train("127.0.0.1:6379")
    assert {key: os.environ[key] for key in LOCAL_TRAIN_ENV} == LOCAL_TRAIN_ENV


def test_in_process_ray_lightens_training_but_the_users_setting_wins(emoai_home, monkeypatch):
    from emoai_core.cluster.ray_env import lighten_local_train

    monkeypatch.setenv("RAY_TRAIN_METRICS_ENABLED", "unset")
    monkeypatch.delenv("RAY_TRAIN_METRICS_ENABLED")
    monkeypatch.setenv("RAY_TRAIN_ENABLE_PREEMPTION_WATCHER", "1")
    lighten_local_train(None)
    assert os.environ["RAY_TRAIN_METRICS_ENABLED"] == "0"
    assert os.environ["RAY_TRAIN_ENABLE_PREEMPTION_WATCHER"] == "1"


@pytest.mark.slow
def test_a_users_openmp_wait_policy_reaches_workers_instead_of_emoais(emoai_home, monkeypatch):
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    *_, spin = _probe_in_process_ray(OMP_WAIT_POLICY="PASSIVE")
    assert spin == "-"


def test_worker_env_spins_openmp_longer_unless_the_user_chose(monkeypatch):
    from emoai_core.cluster.ray_env import worker_env

    for name in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY"):
        monkeypatch.delenv(name, raising=False)
    assert worker_env() == {"GOMP_SPINCOUNT": "10000000"}
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    assert worker_env() == {}
    monkeypatch.delenv("OMP_WAIT_POLICY")
    monkeypatch.setenv("GOMP_SPINCOUNT", "1000")
    assert worker_env() == {}


def test_submitted_jobs_carry_the_worker_env_and_cluster_env_yaml_wins(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from emoai_core.cluster.jobs import FORWARDED_ENV, LOCAL_ONLY_ENV, runtime_env

    for name in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY", *FORWARDED_ENV, *LOCAL_ONLY_ENV):
        monkeypatch.delenv(name, raising=False)
    env = SimpleNamespace(
        env_vars={"EXTRA": "1"},
        working_dir=SimpleNamespace(excludes=[]),
        python=SimpleNamespace(pip_packages=[]),
    )
    assert runtime_env(env, tmp_path, {})["env_vars"] == {"GOMP_SPINCOUNT": "10000000", "EXTRA": "1"}
    env.env_vars = {"GOMP_SPINCOUNT": "0"}
    assert runtime_env(env, tmp_path, {})["env_vars"] == {"GOMP_SPINCOUNT": "0"}
