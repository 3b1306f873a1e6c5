"""The MLflow run of a training run: its tags, params and data-version input, created once up front.

Tags say what the run is (`emoai.kind` train or trial, its study), what it learns from
(`emoai.data`, `emoai.base_model`) and how to reach it while it runs (`emoai.ray_run`, and the
Ray job when it was submitted).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from emoai_core.base.settings import DEFAULT_BASE_MODEL, ray_run_name
from emoai_core.training.plan import Plan

if TYPE_CHECKING:
    from mlflow import MlflowClient

    from emoai_core.data.versions import DataVersion


def start_run(
    client: MlflowClient, plan: Plan, cpu: float, train_rows: int, kind: str, parent_run_id: str | None
) -> tuple[str, str]:
    """Create the run with everything known before training; returns (run id, run name)."""
    from emoai_core.cluster.jobs import ENV_JOB_DASHBOARD, ENV_JOB_ID
    from emoai_core.tracking.store import create_run

    cfg = plan.config
    tags = {
        "emoai.kind": kind,
        "emoai.data": cfg.data or plan.data.ref,  # NAME@VERSION, several joined by commas
        "emoai.base_model": cfg.model or DEFAULT_BASE_MODEL,
        "emoai.total_epochs": str(cfg.epochs),
        "emoai.task": plan.labels.task,
    }
    if parent_run_id:
        tags["mlflow.parentRunId"] = parent_run_id
    if os.environ.get(ENV_JOB_ID):  # submitted as a Ray Job: `emoai runs stop` stops the job
        tags["emoai.ray_job_id"] = os.environ[ENV_JOB_ID]
        tags["emoai.ray_address"] = os.environ.get(ENV_JOB_DASHBOARD, "")
    params = {**cfg.as_params(), "resolved_cpu_per_worker": cpu, "train_rows": train_rows}
    run_id, run_name = create_run(client, cfg.experiment, cfg.run_name, tags, params)
    client.set_tag(run_id, "emoai.ray_run", ray_run_name(run_id))
    for dv in plan.sources or (plan.data,):  # every source version, as a dataset input of its own
        log_data_input(client, run_id, dv)
    return run_id, run_name


def log_data_input(client: MlflowClient, run_id: str, dv: DataVersion) -> None:
    """The data version as the run's MLflow dataset input (name, content hash, source, schema, rows)."""
    from mlflow.entities import Dataset, DatasetInput, InputTag

    from emoai_core.data.versions import label_column
    from emoai_core.tracking.store import retry_on_conflict

    dataset = Dataset(
        name=dv.name,
        digest=dv.version,
        source_type="local",
        source=json.dumps({"uri": str(dv.path), "source": dv.manifest.get("source")}),
        schema=json.dumps(
            {"columns": ["text", label_column(dv.task)], "task": dv.task, "labels": list(dv.label_map.names)}
        ),
        profile=json.dumps({s: v.get("rows") for s, v in dv.manifest.get("splits", {}).items()}),
    )
    tags = [InputTag("mlflow.data.context", "training"), InputTag("emoai.data_version", dv.ref)]
    inputs = [DatasetInput(dataset, tags)]
    # the trials of a study log the same dataset at the same moment: the store's insert races
    retry_on_conflict(lambda: client.log_inputs(run_id, datasets=inputs))
