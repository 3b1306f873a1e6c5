"""The `aws` provider: render a Ray cluster-launcher config, validate it offline, `ray up` / `ray down`.

The template lives in the repository's `cluster/templates/aws.yaml`; emoai fills in the node
types from cluster_compute.yaml and the image, packages and commands from cluster_env.yaml, and
checks the result with Ray's own `prepare_config` + `validate_config` before anything else.
"""

from __future__ import annotations

import copy
import os
import shlex
import subprocess
import time
from pathlib import Path
from typing import Any

from emoai_core.base.errors import EmoaiError, UsageError
from emoai_core.base.settings import ENV_STORAGE, ENV_TRACKING_URI, paths
from emoai_core.cluster import tracking_server
from emoai_core.cluster.config import ClusterCompute, ClusterEnv, NodeType, WorkerNodeType
from emoai_core.cluster.local_ray import ray_cli
from emoai_core.storage.location import Storage

PROJECT_ON_NODE = "/home/ray/emoai"


def template_path() -> Path:
    """`$EMOAI_CLUSTER_TEMPLATES/aws.yaml`, else the checkout's `cluster/templates/aws.yaml`."""
    override = os.environ.get("EMOAI_CLUSTER_TEMPLATES")
    folder = Path(override) if override else Path(__file__).resolve().parents[2] / "cluster" / "templates"
    path = folder / "aws.yaml"
    if not path.is_file():
        raise UsageError(
            f"cluster template not found: {path}",
            "install emoai from a source checkout (pip install -e .) or set EMOAI_CLUSTER_TEMPLATES",
        )
    return path


def project_dir() -> Path:
    return Path(__file__).resolve().parents[2]


def _node_config(node: NodeType, compute: ClusterCompute, spot: bool) -> dict[str, Any]:
    aws = compute.aws
    config: dict[str, Any] = {
        "InstanceType": node.instance_type,
        "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": aws.disk_size_gb}}],
    }
    tags = {"emoai-cluster": compute.name, "emoai-node-type": node.name, **aws.tags}
    config["TagSpecifications"] = [
        {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
    ]
    if aws.subnet_id:
        config["SubnetIds"] = [aws.subnet_id]
    if aws.security_group_ids:
        config["SecurityGroupIds"] = list(aws.security_group_ids)
    if aws.key_name:
        config["KeyName"] = aws.key_name
    if aws.iam_instance_profile:
        config["IamInstanceProfile"] = {"Name": aws.iam_instance_profile}
    if spot:
        config["InstanceMarketOptions"] = {"MarketType": "spot"}
    return config


def _node_type(node: NodeType, compute: ClusterCompute) -> dict[str, Any]:
    is_worker = isinstance(node, WorkerNodeType)
    entry: dict[str, Any] = {
        "node_config": _node_config(node, compute, node.use_spot if is_worker else False),
        "resources": dict(node.resources),
        "labels": {"emoai-node-type": node.name},
    }
    if is_worker:
        entry["min_workers"] = node.min_workers
        entry["max_workers"] = node.max_workers
    else:
        entry["max_workers"] = 0
    return entry


def setup_commands(env: ClusterEnv) -> list[str]:
    """What each node runs after the image starts: OS packages, pip packages, the project, post-build."""
    commands = []
    if env.debian_packages:
        commands.append(
            "sudo apt-get update -y && sudo apt-get install -y "
            + " ".join(shlex.quote(p) for p in env.debian_packages)
        )
    if env.python.pip_packages:
        commands.append("pip install " + " ".join(shlex.quote(p) for p in env.python.pip_packages))
    commands.append(f"pip install -e {PROJECT_ON_NODE}[aws]")  # boto3: MLflow's S3 artifacts
    commands.extend(env.post_build_cmds)
    return commands


def gpu_image(image: str) -> str:
    """GPU nodes need Ray's CUDA image: the default `…-cpu` Ray image becomes its `…-gpu` twin."""
    if image.startswith("rayproject/ray:") and image.endswith("-cpu"):
        return image[: -len("-cpu")] + "-gpu"
    return image


def storage_of(env: ClusterEnv) -> Storage | None:
    """The cluster's storage: --storage / EMOAI_STORAGE, else cluster_env.yaml's `storage`."""
    from emoai_core.storage.location import configured

    return configured(os.environ.get(ENV_STORAGE) or env.storage)


def tracking_plan(env: ClusterEnv) -> dict[str, Any]:
    """Who tracks runs: the user's server (as is), or one on the head reached through a port forward."""
    given = os.environ.get(ENV_TRACKING_URI) or env.tracking_uri
    if given:
        return {"tracking_uri": given, "server_on_head": False}
    return {"server_on_head": True, "job_tracking_uri": f"http://127.0.0.1:{tracking_server.SERVER_PORT}"}


def port_forward_args(launcher: Path | str, local_port: int) -> list[str]:
    """Ray's own SSH port forward from this machine to the head's MLflow server."""
    return [ray_cli(), "dashboard", "--port", str(local_port), "--remote-port", str(tracking_server.SERVER_PORT),
            str(launcher)]  # fmt: skip


def render(compute: ClusterCompute, env: ClusterEnv) -> dict[str, Any]:
    """The full launcher config for `ray up`: nodes, image, setup, and the head's MLflow server if needed."""
    import yaml

    base = yaml.safe_load(template_path().read_text())
    config = copy.deepcopy(base)
    config["cluster_name"] = compute.name
    config["max_workers"] = sum(w.max_workers for w in compute.worker_node_types)
    config["idle_timeout_minutes"] = compute.idle_timeout_minutes
    config["provider"]["region"] = compute.region
    has_gpus = any(node.gpus for node in [compute.head_node_type, *compute.worker_node_types])
    config["docker"]["image"] = gpu_image(env.base_image) if has_gpus else env.base_image
    config["docker"]["run_options"] = list(config["docker"].get("run_options", [])) + [
        f"-e {k}={shlex.quote(v)}" for k, v in env.env_vars.items()
    ]
    if has_gpus:
        config["docker"]["run_options"].append("--gpus all")
    config["file_mounts"] = {PROJECT_ON_NODE: str(project_dir())}
    config["rsync_exclude"] = list(config.get("rsync_exclude", [])) + list(env.working_dir.excludes)
    config["head_node_type"] = compute.head_node_type.name
    config["available_node_types"] = {
        compute.head_node_type.name: _node_type(compute.head_node_type, compute)
    }
    for worker in compute.worker_node_types:
        config["available_node_types"][worker.name] = _node_type(worker, compute)
    config["setup_commands"] = setup_commands(env)
    storage = storage_of(env)
    if storage is not None:  # jobs and commands on the nodes default to the cluster's storage
        config["docker"]["run_options"].append(f"-e {ENV_STORAGE}={shlex.quote(storage.spec)}")
    if tracking_plan(env)["server_on_head"]:
        config["head_start_ray_commands"] = [
            *config["head_start_ray_commands"],
            tracking_server.head_command(storage),
        ]
    return config


def validate(config: dict[str, Any]) -> dict[str, Any]:
    """Ray's own offline checks (no boto3, no network): schema and defaults."""
    from ray.autoscaler._private.util import prepare_config, validate_config

    try:
        prepared = prepare_config(copy.deepcopy(config))
        validate_config(prepared)
    except Exception as exc:  # noqa: BLE001 - jsonschema and ValueError both mean "Ray rejects it"
        raise UsageError(
            f"Ray rejects the rendered cluster config: {str(exc).splitlines()[0][:400]}"
        ) from None
    return prepared


def check_credentials() -> None:
    """boto3 and AWS credentials must be there before any call is made."""
    try:
        import boto3
    except ImportError:
        raise UsageError("provider aws needs boto3", "pip install 'emoai[aws]'") from None
    if boto3.Session().get_credentials() is None:
        raise UsageError(
            "no AWS credentials found",
            "set AWS_PROFILE (aws configure) or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
        )


def write_config(config: dict[str, Any], name: str) -> Path:
    import yaml

    from emoai_core.base.atomic import atomic_write_text

    path = paths().cluster_dir(name) / "launcher.yaml"
    atomic_write_text(path, yaml.safe_dump(config, sort_keys=False))
    return path


def _ray(*args: str) -> subprocess.CompletedProcess:
    """`ray` launcher commands, their output streamed to the user's terminal."""
    return subprocess.run([ray_cli(), *args], text=True, capture_output=False)


def up(compute: ClusterCompute, env: ClusterEnv, config_path: Path) -> dict[str, Any]:
    config = render(compute, env)
    validate(config)
    check_credentials()
    launcher = write_config(config, compute.name)
    if _ray("up", "-y", str(launcher)).returncode != 0:
        raise EmoaiError("'ray up' failed", f"see the output above; clean up with: ray down -y {launcher}")
    ip = subprocess.run([ray_cli(), "get-head-ip", str(launcher)], capture_output=True, text=True)
    head_ip = ip.stdout.strip().splitlines()[-1] if ip.returncode == 0 and ip.stdout.strip() else "?"
    storage = storage_of(env)
    shared: dict[str, Any] = {"storage": storage.spec} if storage is not None else {}
    plan = tracking_plan(env)
    if plan["server_on_head"]:
        shared.update(open_port_forward(launcher), job_tracking_uri=plan["job_tracking_uri"])
    else:
        shared["tracking_uri"] = plan["tracking_uri"]
    return {
        **shared,
        "provider": "aws",
        "name": compute.name,
        "address": f"{head_ip}:6379",
        "dashboard_url": f"http://{head_ip}:8265",
        "config": str(Path(config_path).resolve()),
        "launcher_config": str(launcher),
        "started": time.time(),
        "region": compute.region,
    }


def open_port_forward(launcher: Path) -> dict[str, Any]:
    """Start the port forward to the head's MLflow server in the background; wait until it answers."""
    from emoai_core.cluster.local_ray import free_port

    port = free_port()
    log = launcher.with_name("port-forward.log")
    with log.open("ab") as out:
        proc = subprocess.Popen(
            port_forward_args(launcher, port), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    forward = {"pid": proc.pid, "folder": str(launcher), "url": f"http://127.0.0.1:{port}"}
    try:
        tracking_server.wait_ready(forward["url"], proc, timeout=300)
    except BaseException:
        tracking_server.stop_local(forward)
        raise
    return {"tracking_uri": forward["url"], "port_forward": forward}


def down(state: dict[str, Any]) -> dict[str, Any]:
    if state.get("port_forward"):
        tracking_server.stop_local(state["port_forward"])  # the same check-then-end as a local server
    launcher = state.get("launcher_config")
    if not launcher or not Path(launcher).is_file():
        raise UsageError(
            "the launcher config of this cluster is gone", "terminate its instances in the AWS console"
        )
    if _ray("down", "-y", launcher).returncode != 0:
        raise EmoaiError("'ray down' failed", f"retry: ray down -y {launcher}")
    return {"terminated": True}
