"""The `local` provider: a real multi-node Ray cluster on this machine.

Every node is a separate `ray start` (raylet) with its node type's resources, so scheduling across
nodes is real. With `autoscale: true`, Ray's `fake_multinode` provider adds and removes worker nodes
between min_workers and max_workers as work asks for them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emoai_core.base.events import LogEvent, emit
from emoai_core.base.settings import paths
from emoai_core.cluster import isolation, local_ray
from emoai_core.cluster.config import ClusterCompute, ClusterEnv, NodeType
from emoai_core.cluster.dashboard import NODE_TYPE_LABEL

FAKE_HEAD_TYPE = "ray.head.default"


def _labels(node: NodeType) -> list[str]:
    return [f"--labels={NODE_TYPE_LABEL}={node.name}"]


def autoscaling_config(compute: ClusterCompute, gcs_port: int) -> dict[str, Any]:
    """A `fake_multinode` cluster-launcher config: worker nodes are local processes the autoscaler starts."""
    node_types: dict[str, Any] = {
        FAKE_HEAD_TYPE: {
            "resources": dict(compute.head_node_type.resources),
            "node_config": {},
            "max_workers": 0,
        },
    }
    for worker in compute.worker_node_types:
        node_types[worker.name] = {
            "resources": dict(worker.resources),
            "node_config": {},
            "min_workers": worker.min_workers,
            "max_workers": worker.max_workers,
            "labels": {NODE_TYPE_LABEL: worker.name},
        }
    return {
        "cluster_name": compute.name,
        "max_workers": sum(w.max_workers for w in compute.worker_node_types),
        "provider": {
            "type": "fake_multinode",
            "use_node_id_as_ip": True,
            "disable_node_updaters": True,
            "disable_launch_config_check": True,
            "gcs_address": f"127.0.0.1:{gcs_port}",
        },
        "available_node_types": node_types,
        "head_node_type": FAKE_HEAD_TYPE,
        "upscaling_speed": 1.0,
        "idle_timeout_minutes": compute.idle_timeout_minutes,
        "auth": {"ssh_user": "ubuntu"},
        "docker": {},
        "file_mounts": {},
        "cluster_synced_files": [],
        "file_mounts_sync_continuously": False,
        "initialization_commands": [],
        "setup_commands": [],
        "head_setup_commands": [],
        "worker_setup_commands": [],
        "head_start_ray_commands": [],
        "worker_start_ray_commands": [],
    }


def up(
    compute: ClusterCompute, env: ClusterEnv, config_path: Path, on_event: Callable | None = None
) -> dict[str, Any]:
    """Start the head and every worker node's min_workers; wait until all are alive.

    Isolated nodes (`isolated_nodes`) each get their own HOME and EMOAI_HOME; unless a tracking
    server is named, one is started on the head's "machine" for the laptop and the jobs to share.
    """
    head_type = compute.head_node_type
    folder = paths().cluster_dir(compute.name)
    env_vars = dict(env.env_vars)
    if compute.isolated_nodes:
        env_vars.update(isolation.node_env(folder, head_type.name))
    extra = _labels(head_type)
    port = local_ray.free_port()
    if compute.autoscale:
        import yaml

        folder.mkdir(parents=True, exist_ok=True)
        autoscaler = folder / "autoscaling.yaml"
        autoscaler.write_text(yaml.safe_dump(autoscaling_config(compute, port), sort_keys=False))
        extra.append(f"--autoscaling-config={autoscaler}")
        env_vars["RAY_FAKE_CLUSTER"] = "1"
    emit(on_event, LogEvent(f"starting head node '{head_type.name}'"))
    head = local_ray.start_head(
        cpus=head_type.cpus,
        gpus=head_type.gpus,
        resources=head_type.custom_resources,
        extra_args=extra,
        env=env_vars,
        port=port,
    )
    expected = 1
    try:
        if not compute.autoscale:
            for worker in compute.worker_node_types:
                for i in range(worker.min_workers):
                    emit(
                        on_event,
                        LogEvent(f"starting worker node '{worker.name}' ({i + 1}/{worker.min_workers})"),
                    )
                    node_env = (
                        isolation.node_env(folder, f"{worker.name}-{i + 1}")
                        if compute.isolated_nodes
                        else None
                    )
                    # an isolated node keeps its own Ray folder (its own unpacked job files), as a machine would;
                    # short, because Ray's socket paths under it must stay below ~107 bytes
                    local_ray.add_node(
                        head.address,
                        f"{head.temp_dir}/n{expected}" if compute.isolated_nodes else head.temp_dir,
                        worker.cpus,
                        worker.gpus,
                        worker.custom_resources,
                        extra_args=_labels(worker),
                        env=node_env,
                    )
                    expected += 1
        emit(on_event, LogEvent(f"waiting for {expected} node(s)"))
        nodes = local_ray.wait_for_nodes(head.address, expected)
        shared = shared_services(compute, env, env_vars, folder, on_event)
    except BaseException:
        local_ray.stop(head.temp_dir)
        raise
    return {
        **shared,
        "provider": "local",
        "name": compute.name,
        "address": head.address,
        "dashboard_url": head.dashboard_url,
        "config": str(Path(config_path).resolve()),
        "autoscale": compute.autoscale,
        "temp_dir": head.temp_dir,
        "started": time.time(),
        "nodes": [
            {
                "node_id": n["NodeID"],
                "resources": {k: v for k, v in n["Resources"].items() if not k.startswith("node:")},
            }
            for n in nodes
        ],
    }


def shared_services(
    compute: ClusterCompute,
    env: ClusterEnv,
    head_env: dict[str, str],
    folder: Path,
    on_event: Callable | None,
) -> dict[str, Any]:
    """What the laptop and the jobs share: the storage, and the tracking server (started here if needed)."""
    import os

    from emoai_core.base.settings import ENV_STORAGE, ENV_TRACKING_URI
    from emoai_core.storage.location import parse

    spec = os.environ.get(ENV_STORAGE) or env.storage
    out: dict[str, Any] = {"isolated": compute.isolated_nodes}
    if spec:
        out["storage"] = parse(spec).spec
    tracking = os.environ.get(ENV_TRACKING_URI) or env.tracking_uri
    if tracking:
        out["tracking_uri"] = tracking
    elif compute.isolated_nodes:
        from emoai_core.cluster import tracking_server

        emit(on_event, LogEvent("starting the MLflow tracking server on the head"))
        head_home = isolation.node_home(folder, compute.head_node_type.name)
        server = tracking_server.start_local(
            head_home / "tracking",
            parse(spec) if spec else None,
            local_ray.free_port(),
            {**os.environ, **head_env},
        )
        out.update(tracking_uri=server["url"], job_tracking_uri=server["url"], tracking_server=server)
    return out


def down(state: dict[str, Any]) -> dict[str, Any]:
    if state.get("tracking_server"):
        from emoai_core.cluster import tracking_server

        tracking_server.stop_local(state["tracking_server"])
    stopped = local_ray.stop(state["temp_dir"]) if state.get("temp_dir") else []
    return {
        "stopped_processes": len(stopped),
        "left": local_ray.pids(state["temp_dir"]) if state.get("temp_dir") else [],
    }


def describe(state: dict[str, Any]) -> str:
    return json.dumps({k: state[k] for k in ("address", "dashboard_url") if k in state})
