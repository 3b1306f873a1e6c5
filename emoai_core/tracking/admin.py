"""Acting on runs: delete one with everything made from it, stop a running one, open the MLflow UI."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
from typing import TYPE_CHECKING, Any

from emoai_core.base.errors import UsageError
from emoai_core.base.settings import load_settings, paths
from emoai_core.storage.runs import delete_run as delete_checkpoints
from emoai_core.tracking.local_models import remove_local_copies
from emoai_core.tracking.registry import delete_version, versions_by_run
from emoai_core.tracking.runs import default_client, resolve_run

if TYPE_CHECKING:
    from mlflow import MlflowClient


def delete_run(ref: str, client: MlflowClient | None = None) -> dict[str, Any]:
    """Delete a run, its registered versions, its checkpoints and any local copy made from it."""
    client = default_client(client)
    run = resolve_run(ref, client)
    run_id = run.info.run_id
    if run.info.status == "RUNNING":
        raise UsageError(f"run {run_id} is still running", f"stop it first: emoai runs stop {run_id}")
    removed_versions = []
    for v in versions_by_run(client).get(run_id, []):
        delete_version(client, v.version)
        removed_versions.append(str(v.version))
    client.delete_run(run_id)
    delete_checkpoints(run_id)
    shutil.rmtree(paths().model_cache(run_id), ignore_errors=True)
    removed_copies = remove_local_copies(run_id)
    return {"run_id": run_id, "versions": removed_versions, "local_copies": removed_copies}


def stop_run(ref: str, client: MlflowClient | None = None) -> str:
    """Ask a running training run to stop cleanly (it marks itself KILLED, keeping its checkpoints)."""
    client = default_client(client)
    run = resolve_run(ref, client)
    tags = run.data.tags
    if run.info.status != "RUNNING":
        raise UsageError(f"run {run.info.run_id} is not running (status {run.info.status})")
    job_id = tags.get("emoai.ray_job_id")
    if job_id:
        from emoai_core.cluster.jobs import stop_job

        stop_job(job_id, tags.get("emoai.ray_address"))
        return f"asked Ray to stop job {job_id}"
    pid, host = tags.get("emoai.pid"), tags.get("emoai.host")
    if not pid or host != socket.gethostname():
        raise UsageError(f"run {run.info.run_id} runs elsewhere ({host or 'unknown host'}); stop it there")
    try:
        os.kill(int(pid), signal.SIGINT)
    except ProcessLookupError:
        client.set_terminated(run.info.run_id, status="KILLED")
        return f"process {pid} was gone; marked the run KILLED"
    return f"sent Ctrl-C to the training process {pid}"


def mlflow_ui_command(host: str = "127.0.0.1", port: int = 5000) -> list[str]:
    """The `mlflow ui` command for the configured store (artifacts stay where runs logged them)."""
    uri = load_settings().tracking_uri
    return [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", uri, "--host", host, "--port", str(port)]
