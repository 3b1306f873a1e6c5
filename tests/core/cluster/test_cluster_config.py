"""cluster_compute.yaml / cluster_env.yaml parsing, aws rendering checked by Ray, and no-cluster paths."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.cluster.config import load_compute, load_env

REPO = Path(__file__).resolve().parents[3]
GOOD_LOCAL = """
name: test-local
provider: local
head_node_type: {name: head, resources: {CPU: 1}}
worker_node_types:
  - {name: cpu-worker, min_workers: 1, max_workers: 2, resources: {CPU: 1}}
"""
GOOD_AWS = """
name: test-aws
provider: aws
region: us-east-1
head_node_type: {name: head, instance_type: m5.xlarge, resources: {CPU: 4}}
worker_node_types:
  - {name: gpu, instance_type: g5.xlarge, min_workers: 0, max_workers: 2, use_spot: true, resources: {CPU: 4, GPU: 1}}
aws: {disk_size_gb: 150, tags: {team: ml}}
"""


def _write(tmp_path: Path, text: str, name: str = "cluster_compute.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_repo_default_configs_parse():
    compute = load_compute(REPO / "cluster_compute.yaml")
    assert compute.provider == "local" and compute.worker_node_types[0].min_workers == 1
    env = load_env(REPO / "cluster_env.yaml")
    # a cluster reaches the hub when it can: the default env does not force it offline
    assert "HF_HUB_OFFLINE" not in env.env_vars
    assert env.storage is None and env.tracking_uri is None


def test_good_files(tmp_path):
    local = load_compute(_write(tmp_path, GOOD_LOCAL))
    assert local.head_node_type.cpus == 1 and local.worker_node_types[0].max_workers == 2
    aws = load_compute(_write(tmp_path, GOOD_AWS))
    assert aws.worker_node_types[0].gpus == 1 and aws.worker_node_types[0].use_spot


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nprovider: local\nhead_node_type: {name: head\n", "line"),
        (
            GOOD_LOCAL + "idle_timout_minutes: 3\n",
            "idle_timout_minutes: unknown key (did you mean 'idle_timeout_minutes'?)",
        ),
        (
            GOOD_LOCAL.replace("max_workers: 2", "max_workers: 2, min_worker: 1"),
            "worker_node_types[0].min_worker: unknown key (did you mean 'min_workers'?)",
        ),
        (
            GOOD_LOCAL.replace("min_workers: 1", "min_workers: many"),
            "worker_node_types[0].min_workers: Input should be a valid integer",
        ),
        (GOOD_LOCAL.replace("min_workers: 1", "min_workers: 3"), "min_workers (3) > max_workers (2)"),
        (GOOD_AWS.replace("region: us-east-1\n", ""), "region is required for provider aws"),
        (GOOD_AWS.replace("g5.xlarge", "m5.xlarge"), "asks for 1 GPU but m5.xlarge has no GPU"),
        (GOOD_AWS.replace("instance_type: m5.xlarge, ", ""), "needs an instance_type for provider aws"),
        (
            GOOD_LOCAL.replace("provider: local", "provider: gcp"),
            "provider: Input should be 'local' or 'aws'",
        ),
        ("provider: local\n", "name: this field is required"),
        ("- 1\n- 2\n", "expected a mapping"),
    ],
)
def test_bad_compute_files_name_file_field_and_problem(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(UsageError) as info:
        load_compute(path)
    assert str(path) in info.value.message and message in info.value.message, info.value.message


def test_bad_env_file(tmp_path):
    path = _write(tmp_path, "base_image: x\npython:\n  pip_pakages: [a]\n", "cluster_env.yaml")
    with pytest.raises(
        UsageError, match=r"python\.pip_pakages: unknown key \(did you mean 'pip_packages'\?\)"
    ):
        load_env(path)


def test_bad_config_via_cli_is_exit_2_and_starts_nothing(cli, tmp_path, emoai_home):
    path = _write(tmp_path, GOOD_LOCAL.replace("min_workers: 1", "min_workers: 3"))
    result = cli("cluster", "up", "--config", path)
    assert result.exit_code == 2 and "min_workers (3) > max_workers (2)" in result.stderr
    assert not (emoai_home / "cluster.json").exists()
    missing = cli("cluster", "up", "--config", tmp_path / "nope.yaml")
    assert missing.exit_code == 2 and "config file not found" in missing.stderr


@pytest.mark.parametrize("example", ["aws-gpu.yaml", "aws-cpu.yaml"])
def test_aws_examples_render_to_configs_ray_accepts(cli, example, emoai_home):
    env = ["--env", REPO / "cluster" / "examples" / "aws-gpu-env.yaml"] if "gpu" in example else []
    result = cli(
        "cluster", "up", "--config", REPO / "cluster" / "examples" / example, *env, "--dry-run", "--json"
    )
    assert result.exit_code == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["provider"]["type"] == "aws" and config["provider"]["cache_stopped_nodes"] is False
    assert config["idle_timeout_minutes"] > 0 and config["docker"]["image"].startswith("rayproject/ray")
    assert any("pip install -e /home/ray/emoai" in c for c in config["setup_commands"])
    workers = [t for n, t in config["available_node_types"].items() if n != config["head_node_type"]]
    assert workers and all("min_workers" in w and "max_workers" in w for w in workers)
    if "gpu" in example:
        assert workers[0]["resources"]["GPU"] == 1
        assert workers[0]["node_config"]["InstanceMarketOptions"] == {"MarketType": "spot"}
        assert "--gpus all" in config["docker"]["run_options"]
    from ray.autoscaler._private.util import prepare_config, validate_config

    validate_config(prepare_config(config))  # Ray's own validator, independently of emoai's call
    assert not (emoai_home / "cluster.json").exists()


def test_ray_validator_rejection_is_a_usage_error(tmp_path):
    from emoai_core.cluster.aws import render, validate

    config = render(load_compute(_write(tmp_path, GOOD_AWS)), load_env(None))
    config["available_node_types"]["gpu"]["max_workers"] = "lots"
    with pytest.raises(UsageError, match="Ray rejects the rendered cluster config"):
        validate(config)


def test_aws_up_without_boto3_or_credentials_fails_before_any_call(cli, tmp_path, monkeypatch):
    path = _write(tmp_path, GOOD_AWS)
    monkeypatch.setitem(sys.modules, "boto3", None)  # import fails
    result = cli("cluster", "up", "--config", path)
    assert (
        result.exit_code == 2
        and "provider aws needs boto3" in result.stderr
        and "emoai[aws]" in result.stderr
    )

    fake = types.ModuleType("boto3")
    fake.Session = lambda: types.SimpleNamespace(get_credentials=lambda: None)
    monkeypatch.setitem(sys.modules, "boto3", fake)
    result = cli("cluster", "up", "--config", path)
    assert result.exit_code == 2 and "no AWS credentials found" in result.stderr


def test_no_cluster_paths(cli):
    down = cli("cluster", "down")
    assert down.exit_code == 0 and "No cluster is up" in down.stderr
    status = cli("cluster", "status")
    assert (
        status.exit_code == 2 and "no cluster is up" in status.stderr and "emoai cluster up" in status.stderr
    )


def test_second_up_is_refused(cli, emoai_home):
    from emoai_core.cluster.state import write_state

    write_state({"name": "running", "address": "127.0.0.1:1", "provider": "local"})
    result = cli("cluster", "up", "--config", REPO / "cluster_compute.yaml")
    assert result.exit_code == 2 and "already up" in result.stderr and "emoai cluster down" in result.stderr


def test_down_refuses_to_prompt_without_terminal(cli, emoai_home):
    from emoai_core.cluster.state import write_state

    write_state({"name": "running", "address": "127.0.0.1:1", "provider": "local"})
    result = cli("cluster", "down")
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert (emoai_home / "cluster.json").exists()


def test_status_of_unreachable_dashboard_is_exit_3(cli):
    from emoai_core.cluster.local_ray import free_port

    result = cli("cluster", "status", "--dashboard-url", f"http://127.0.0.1:{free_port()}")
    assert result.exit_code == 3 and "unreachable" in result.stderr


def test_gpu_nodes_get_rays_cuda_image_even_with_the_default_env(cli, emoai_home):
    result = cli(
        "cluster", "up", "--config", REPO / "cluster" / "examples" / "aws-gpu.yaml", "--dry-run", "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["docker"]["image"] == "rayproject/ray:2.60.0-py311-gpu"
    cpu = cli(
        "cluster", "up", "--config", REPO / "cluster" / "examples" / "aws-cpu.yaml", "--dry-run", "--json"
    )
    assert json.loads(cpu.stdout)["docker"]["image"] == "rayproject/ray:2.60.0-py311-cpu"
