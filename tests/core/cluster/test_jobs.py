"""Ray Job submission against a real local cluster: streamed logs, exit status, stop (slow)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from emoai_core.cluster import jobs
from emoai_core.cluster.config import ClusterEnv

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def head():
    from emoai_core.cluster import local_ray

    started = local_ray.start_head(cpus=2)
    try:
        local_ray.wait_for_nodes(started.address, 1)
        yield started
    finally:
        local_ray.stop(started.temp_dir)


def test_address_kinds():
    assert (
        not jobs.is_remote(None)
        and not jobs.is_remote("127.0.0.1:6379")
        and not jobs.is_remote("localhost:1")
    )
    assert jobs.is_remote("10.255.255.1:6379")
    assert jobs.dashboard_url("http://10.0.0.5:8265/") == "http://10.0.0.5:8265"
    assert jobs.dashboard_url("ray://10.0.0.5:10001") == "http://10.0.0.5:8265"


def test_a_job_never_submits_itself_again(monkeypatch):
    from emoai_core.cluster.jobs import ENV_JOB_ID, should_submit

    assert should_submit(True, None) and should_submit(False, "10.255.255.1:6379")
    monkeypatch.setenv(ENV_JOB_ID, "emoai-123")  # what Ray's job process sees
    assert not should_submit(True, None) and not should_submit(False, "10.255.255.1:6379")


def test_this_machines_own_addresses_are_local():
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("10.255.255.1", 9))  # no packet is sent: this only picks the outgoing interface
        own = s.getsockname()[0]
    assert not jobs.is_remote(f"{own}:6379") and not jobs.is_remote(f"http://{own}:8265")


def test_runtime_env_comes_from_cluster_env(monkeypatch):
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setenv("EMOAI_TRACKING_URI", "http://mlflow:5000")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    env = ClusterEnv(
        env_vars={"A": "1"}, python={"pip_packages": ["rich"]}, working_dir={"excludes": [".git"]}
    )
    runtime = jobs.runtime_env(env, REPO, {"X": "2"})
    assert (
        runtime["working_dir"] == str(REPO) and runtime["excludes"] == [".git"] and runtime["pip"] == ["rich"]
    )
    assert runtime["env_vars"] == {
        "GOMP_SPINCOUNT": "10000000",
        "A": "1",
        "EMOAI_TRACKING_URI": "http://mlflow:5000",
        "HF_HUB_OFFLINE": "1",  # an offline machine's jobs stay offline
        "X": "2",
    }


def test_job_streams_logs_and_reports_status(head):
    env = ClusterEnv(working_dir={"excludes": [".git", "bench", "tests"]})
    lines: list[str] = []
    job_id, status = jobs.run_as_job(["--version"], head.dashboard_url, env, REPO, lines.append)
    assert status == "SUCCEEDED" and job_id.startswith("emoai-")
    assert any(line.strip().startswith("emoai ") for line in lines), lines
    failed_id, failed = jobs.run_as_job(
        ["data", "show", "nosuchdata"], head.dashboard_url, env, REPO, lines.append
    )
    assert failed == "FAILED"
    assert any("no data version named 'nosuchdata'" in line for line in lines)


def test_job_can_be_stopped(head):
    from emoai_core.cluster.local_ray import free_port

    env = ClusterEnv(working_dir={"excludes": [".git", "bench", "tests"]})
    job_id = jobs.submit(["runs", "ui", "--port", str(free_port())], head.dashboard_url, env, REPO)
    deadline = time.time() + 120
    while jobs.status(job_id, head.dashboard_url) == "PENDING" and time.time() < deadline:
        time.sleep(1)
    assert jobs.stop_job(job_id, head.dashboard_url)
    while (
        jobs.status(job_id, head.dashboard_url) not in ("STOPPED", "FAILED", "SUCCEEDED")
        and time.time() < deadline
    ):
        time.sleep(1)
    assert jobs.status(job_id, head.dashboard_url) == "STOPPED"


def test_train_submit_runs_on_the_cluster(cli, head, gen_data, tiny_model_dir, emoai_home):
    from emoai_core.cluster.state import write_state

    write_state(
        {
            "name": "jobs-test",
            "provider": "local",
            "address": head.address,
            "dashboard_url": head.dashboard_url,
        }
    )
    result = cli(
        "train",
        "--submit",
        "--data",
        gen_data,
        "--model",
        tiny_model_dir,
        "--epochs",
        "1",
        "--batch-size",
        "16",
        "--max-length",
        "32",
    )
    assert result.exit_code == 0, result.stderr
    assert "SUCCEEDED" in result.stderr
    runs = json.loads(cli("runs", "list", "--json").stdout)
    assert runs and runs[0]["status"] == "FINISHED", result.stderr
    from emoai_core.tracking.runs import resolve_run

    assert resolve_run(runs[0]["run_id"]).data.tags["emoai.ray_job_id"].startswith("emoai-")
