"""Real local clusters: up with two nodes, status, training spread over both, down; fake autoscaling (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]


def _emoai(env, *args, timeout=900):
    return subprocess.run(
        [sys.executable, "-m", "emoai_cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


@pytest.fixture
def env(emoai_home):
    return {**os.environ, "EMOAI_HOME": str(emoai_home)}


def _down_and_check(env, emoai_home):
    state = (
        json.loads((emoai_home / "cluster.json").read_text())
        if (emoai_home / "cluster.json").exists()
        else None
    )
    result = _emoai(env, "cluster", "down", "-y")
    assert result.returncode == 0, result.stderr
    if state:
        from emoai_core.cluster.local_ray import pids

        assert pids(state["temp_dir"]) == [], "Ray processes of the cluster survived 'down'"
        assert not Path(state["temp_dir"]).exists(), "the cluster's temp folder survived 'down'"
    assert not (emoai_home / "cluster.json").exists()


def test_two_node_cluster_trains_across_nodes(env, emoai_home, gen_data, tiny_model_dir):
    up = _emoai(env, "cluster", "up", "--config", str(REPO / "cluster_compute.yaml"), "--json")
    try:
        assert up.returncode == 0, up.stderr
        state = json.loads(up.stdout)
        assert len(state["nodes"]) == 2
        status = _emoai(env, "cluster", "status", "--json")
        assert status.returncode == 0, status.stderr
        nodes = json.loads(status.stdout)["nodes"]
        assert [n["alive"] for n in nodes] == [True, True]
        assert sorted(n["node_type"] for n in nodes) == ["cpu-worker", "head"]
        assert all(n["cpu_total"] == 1 for n in nodes)

        # each node has 1 CPU, so 2 workers x 1 CPU can only run with one worker on each node
        train = _emoai(
            env,
            "train",
            "--data",
            gen_data,
            "--model",
            str(tiny_model_dir),
            "--num-workers",
            "2",
            "--cpu-per-worker",
            "1",
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--max-length",
            "32",
            "--json",
        )
        assert train.returncode == 0, train.stderr
        assert json.loads(train.stdout)["metrics"]["epoch"] == 1
        too_big = _emoai(
            env,
            "train",
            "--data",
            gen_data,
            "--model",
            str(tiny_model_dir),
            "--num-workers",
            "1",
            "--cpu-per-worker",
            "2",
        )
        assert too_big.returncode == 2 and "can hold at most 0" in too_big.stderr
    finally:
        _down_and_check(env, emoai_home)


def test_fake_autoscaling_cluster_grows_on_demand(env, emoai_home, tmp_path):
    config = tmp_path / "autoscale.yaml"
    config.write_text(
        "name: emoai-autoscale\nprovider: local\nautoscale: true\nidle_timeout_minutes: 0.5\n"
        "head_node_type: {name: head, resources: {CPU: 1}}\n"
        "worker_node_types:\n  - {name: cpu-worker, min_workers: 0, max_workers: 2, resources: {CPU: 1}}\n"
    )
    up = _emoai(env, "cluster", "up", "--config", str(config), "--json")
    try:
        assert up.returncode == 0, up.stderr
        state = json.loads(up.stdout)
        assert len(state["nodes"]) == 1
        address = state["address"]
        demand = (
            f"import ray, time; ray.init(address={address!r}, logging_level='ERROR', log_to_driver=False)\n"
            "@ray.remote(num_cpus=1)\ndef f():\n    time.sleep(20); return ray.get_runtime_context().get_node_id()\n"
            "print(len(set(ray.get([f.remote() for _ in range(3)]))))\n"
        )
        ran = subprocess.run(
            [sys.executable, "-c", demand], env=env, capture_output=True, text=True, timeout=600
        )
        assert ran.returncode == 0, ran.stderr
        assert int(ran.stdout.strip().splitlines()[-1]) >= 2  # the tasks ran on nodes the autoscaler added
        seen = 0
        deadline = time.time() + 60
        while time.time() < deadline:
            status = json.loads(_emoai(env, "cluster", "status", "--json").stdout)
            seen = max(seen, sum(n["alive"] for n in status["nodes"]))
            if seen >= 2:
                break
            time.sleep(2)
        assert seen >= 2
    finally:
        _down_and_check(env, emoai_home)
