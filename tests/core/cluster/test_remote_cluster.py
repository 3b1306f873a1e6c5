"""Clusters on other machines, without starting one: the AWS render (storage, MLflow server, port
forward) checked by Ray's validator, isolated local nodes, the tracking server process, job env."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from emoai_core.base.errors import UsageError
from emoai_core.cluster import isolation, jobs, tracking_server
from emoai_core.cluster.config import ClusterEnv, load_compute
from emoai_core.storage.location import parse

REPO = Path(__file__).resolve().parents[3]
AWS_GPU = REPO / "cluster" / "examples" / "aws-gpu.yaml"


def test_aws_dry_run_has_the_storage_the_mlflow_server_and_the_port_forward(cli, emoai_home):
    result = cli("--storage", "s3://team-bucket/emoai", "cluster", "up", "--config", AWS_GPU, "--dry-run")
    assert result.exit_code == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    from ray.autoscaler._private.util import prepare_config, validate_config

    validate_config(prepare_config(config))  # Ray's own validator
    head = config["head_start_ray_commands"]
    server = [c for c in head if "mlflow server" in c]
    assert len(server) == 1 and "--artifacts-destination s3://team-bucket/emoai/mlflow" in server[0]
    assert "--host 127.0.0.1 --port 5000" in server[0] and "nohup" in server[0]
    assert head.index(server[0]) > 0  # after `ray start`
    assert "-e EMOAI_STORAGE=s3://team-bucket/emoai" in config["docker"]["run_options"]
    assert any("pip install -e /home/ray/emoai[aws]" in c for c in config["setup_commands"])
    assert "storage: s3://team-bucket/emoai" in result.stderr
    assert "port forward: ray dashboard --port 5000 --remote-port 5000" in result.stderr
    assert str(emoai_home / "clusters" / "emoai-gpu" / "launcher.yaml") in result.stderr
    assert not (emoai_home / "cluster.json").exists()


def test_a_users_tracking_server_means_no_server_on_the_head(cli, tmp_path):
    env = tmp_path / "env.yaml"
    env.write_text("storage: gs://b/p\ntracking_uri: http://mlflow.internal:5000\n")
    result = cli("cluster", "up", "--config", AWS_GPU, "--env", env, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    config = json.loads(result.stdout)
    assert not any("mlflow server" in c for c in config["head_start_ray_commands"])
    assert "tracking: http://mlflow.internal:5000" in result.stderr and "port forward" not in result.stderr


def test_the_s3_endpoint_reaches_the_head_server():
    command = tracking_server.head_command(parse("s3://b/p?endpoint_override=http://10.0.0.5:9000"))
    assert command.startswith(
        "mkdir -p /home/ray/emoai-tracking && MLFLOW_S3_ENDPOINT_URL=http://10.0.0.5:9000 nohup"
    )
    assert tracking_server.head_command(None).count("file:///home/ray/emoai-tracking/artifacts") == 1


def test_isolated_nodes_are_local_only(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text((REPO / "cluster/examples/local-isolated.yaml").read_text())
    compute = load_compute(path)
    assert compute.isolated_nodes and compute.head_node_type.cpus == 0
    path.write_text(path.read_text() + "autoscale: true\n")
    with pytest.raises(UsageError, match="isolated_nodes is for the local provider"):
        load_compute(path)


def test_an_isolated_node_has_its_own_home_and_none_of_the_laptops_settings(tmp_path, monkeypatch):
    home = tmp_path / "laptop-home"
    (home / ".ray").mkdir(parents=True)
    (home / ".ray" / "auth_token").write_text("tok")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("RAY_AUTH_TOKEN_PATH", raising=False)
    env = isolation.node_env(tmp_path / "cluster", "small-1")
    node = tmp_path / "cluster" / "nodes" / "small-1"
    assert env["HOME"] == str(node) and env["EMOAI_HOME"] == str(node / ".emoai")
    assert all(env[k] == "" for k in ("EMOAI_TRACKING_URI", "MLFLOW_TRACKING_URI", "EMOAI_STORAGE"))
    assert (node / ".ray" / "auth_token").read_text() == "tok"  # provisioned like a machine would be


def test_jobs_on_isolated_clusters_are_remote_and_get_no_local_only_env(emoai_home, monkeypatch):
    emoai_home.mkdir(parents=True, exist_ok=True)
    state = {
        "provider": "local",
        "isolated": True,
        "address": "127.0.0.1:6",
        "dashboard_url": "http://127.0.0.1:7",
    }
    (emoai_home / "cluster.json").write_text(json.dumps(state))
    assert jobs.is_remote("127.0.0.1:6") and jobs.is_remote("http://127.0.0.1:7/")
    assert not jobs.is_remote("127.0.0.1:8")
    assert jobs.should_submit(False, None)  # the cluster `cluster up` started is elsewhere: submit
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    runtime = jobs.runtime_env(ClusterEnv(), REPO, {jobs.ENV_JOB_DASHBOARD: "http://127.0.0.1:7"})
    assert "HF_HUB_OFFLINE" not in runtime["env_vars"]  # this machine's offline state is its own


@pytest.mark.slow
def test_a_local_tracking_server_starts_answers_and_stops(tmp_path):
    from emoai_core.cluster.local_ray import free_port

    info = tracking_server.start_local(tmp_path / "t", None, free_port(), dict(os.environ))
    try:
        from mlflow import MlflowClient

        assert MlflowClient(info["url"]).search_experiments()
    finally:
        assert tracking_server.stop_local(info)
    assert (
        not Path(f"/proc/{info['pid']}").exists()
        or Path(f"/proc/{info['pid']}/stat").read_text().split()[2] == "Z"
    )
    assert not tracking_server.stop_local(info)  # gone: nothing to end


def test_stop_leaves_a_reused_pid_alone(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert not tracking_server.stop_local({"pid": other.pid, "folder": str(tmp_path / "not-its-folder")})
        time.sleep(0.2)
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()
