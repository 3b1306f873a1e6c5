"""`emoai cluster up / status / down`: one front for the local and aws providers.

`up` validates both files before starting anything, refuses to start a second cluster, and
records what it started in $EMOAI_HOME/cluster.json so later commands use it by default and
`down` stops exactly that.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError
from emoai_core.cluster.config import load_compute, load_env
from emoai_core.cluster.state import clear_state, read_state, write_state


def render_dry_run(config_path: Path, env_path: Path | None) -> dict[str, Any]:
    """What `up --dry-run` prints: the launcher config (aws) or the node plan (local)."""
    compute, env = load_compute(config_path), load_env(env_path)
    if compute.provider == "aws":
        from emoai_core.cluster.aws import render, validate

        config = render(compute, env)
        validate(config)
        return config
    if compute.isolated_nodes:
        return {"provider": "local", "isolated_nodes": True, **_node_plan(compute)}
    from emoai_core.cluster.local import autoscaling_config

    if compute.autoscale:
        return autoscaling_config(compute, gcs_port=0)
    return {"provider": "local", **_node_plan(compute)}


def _node_plan(compute: Any) -> dict[str, Any]:
    return {
        "head": compute.head_node_type.model_dump(),
        "workers": [w.model_dump() for w in compute.worker_node_types],
    }


def shared_services_plan(config_path: Path, env_path: Path | None) -> list[str]:
    """What `up` will share with the laptop beside the nodes: storage, tracking, port forward (for --dry-run)."""
    import os

    from emoai_core.base.settings import ENV_STORAGE, ENV_TRACKING_URI
    from emoai_core.storage.location import configured

    compute, env = load_compute(config_path), load_env(env_path)
    storage = configured(os.environ.get(ENV_STORAGE) or env.storage)
    lines = [
        f"storage: {storage.uri}" if storage else "storage: none (--storage or cluster_env.yaml's storage)"
    ]
    given = os.environ.get(ENV_TRACKING_URI) or env.tracking_uri
    remote = compute.provider == "aws" or compute.isolated_nodes
    if given:
        lines.append(f"tracking: {given}")
    elif remote:
        where = f"artifacts in {storage.uri_of('mlflow')}" if storage else "artifacts on the head"
        lines.append(f"tracking: an MLflow server started on the head, {where}")
    if remote and not given and compute.provider == "aws":
        from emoai_core.base.settings import paths
        from emoai_core.cluster.aws import port_forward_args
        from emoai_core.cluster.tracking_server import SERVER_PORT

        launcher = paths().cluster_dir(compute.name) / "launcher.yaml"
        args = " ".join(port_forward_args(launcher, SERVER_PORT)[1:])
        lines.append(
            f"port forward: ray {args} (this machine's free port → the head's MLflow on {SERVER_PORT})"
        )
    return lines


def up(config_path: Path, env_path: Path | None = None, on_event: Callable | None = None) -> dict[str, Any]:
    compute, env = load_compute(config_path), load_env(env_path)
    current = read_state()
    if current:
        raise UsageError(
            f"cluster '{current.get('name')}' is already up at {current.get('address')}",
            "stop it first: emoai cluster down",
        )
    if compute.provider == "aws":
        from emoai_core.cluster import aws as cluster_aws

        state = cluster_aws.up(compute, env, config_path)
    else:
        from emoai_core.cluster import local as cluster_local

        state = cluster_local.up(compute, env, config_path, on_event)
    if env_path is not None:
        state["env"] = str(Path(env_path).resolve())
    write_state(state)
    return state


def down() -> dict[str, Any] | None:
    """Stop what `up` started; None when no cluster is up."""
    state = read_state()
    if state is None:
        return None
    if state.get("provider") == "aws":
        from emoai_core.cluster import aws as cluster_aws

        result = cluster_aws.down(state)
    else:
        from emoai_core.cluster import local as cluster_local

        result = cluster_local.down(state)
    clear_state()
    return {"name": state.get("name"), "provider": state.get("provider"), **result}


def status(dashboard_url: str | None = None) -> dict[str, Any]:
    """The cluster as its dashboard reports it (nodes, demands, jobs, serve apps)."""
    from emoai_core.cluster.dashboard import DashboardClient

    state = read_state()
    url = dashboard_url or (state or {}).get("dashboard_url")
    if not url:
        raise UsageError("no cluster is up", "start one: emoai cluster up --config cluster_compute.yaml")
    snapshot = DashboardClient(url).snapshot()
    return {
        "name": (state or {}).get("name"),
        "provider": (state or {}).get("provider"),
        "address": (state or {}).get("address"),
        **snapshot.to_json(),
    }
