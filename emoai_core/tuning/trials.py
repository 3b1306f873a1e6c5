"""The trials of a study: what each one runs, how many fit at once, and what MLflow knows of them.

A trial is the whole `emoai train` path as a child MLflow run, reporting each epoch to Tune;
trials Tune stopped early cannot close their own runs, so the study closes them here.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any

from emoai_core.base.errors import UsageError
from emoai_core.training.config import TrainConfig
from emoai_core.tuning.options import TrialRow
from emoai_core.tuning.space import SearchSpace

if TYPE_CHECKING:
    from mlflow import MlflowClient


def trial_cpus(fixed: TrainConfig, concurrent: int, wait: bool) -> float:
    """CPUs per worker so that `concurrent` trials × workers fit the cluster at once."""
    from emoai_core.cluster import ray_env

    nodes = ray_env.alive_nodes()
    largest = max((n.cpu for n in nodes), default=0.0)
    total = sum(n.cpu for n in nodes)
    cpu = fixed.cpu_per_worker or float(
        max(1, min(math.floor(largest), math.floor(total / (concurrent * fixed.num_workers))))
    )
    if not wait:
        slots = ray_env.workers_that_fit(nodes, cpu, fixed.gpu_per_worker)
        need = concurrent * fixed.num_workers
        if slots < need:
            raise UsageError(
                f"{concurrent} concurrent trial(s) × {fixed.num_workers} worker(s) × {cpu:g} CPU need {need} worker "
                f"slots, but the cluster has {slots} ({total:g} CPUs)",
                "lower --max-concurrent, --num-workers or --cpu-per-worker, or pass --wait if the cluster autoscales",
            )
    return cpu


def run_trial(sampled: dict[str, Any], base: dict[str, Any], parent: str, env: dict[str, str]) -> None:
    """One trial: the whole `emoai train` path as a child MLflow run, reporting to Tune each epoch."""
    os.environ.update(env)
    from ray.tune.integration.ray_train import TuneReportCallback

    from emoai_core.training.run import RunOptions, train

    opts = RunOptions(
        wait=True, callbacks=(TuneReportCallback(),), kind="trial", parent_run_id=parent, register=False
    )
    train(TrainConfig(**{**base, **sampled}), opts)


def _best_value(client: MlflowClient, run_id: str, metric: str, mode: str) -> float | None:
    values = [m.value for m in client.get_metric_history(run_id, metric)]
    if not values:
        return None
    return max(values) if mode == "max" else min(values)


def trial_rows(client: MlflowClient, parent: str, space: SearchSpace, metric: str, mode: str) -> list[TrialRow]:
    from emoai_core.tracking.runs import child_runs

    rows = []
    for run in child_runs(client, parent):
        params = {k: run.data.params.get(k, "") for k in space.params}
        rows.append(
            TrialRow(
                run.info.run_id,
                run.info.run_name,
                run.info.status,
                params,
                int(run.data.metrics.get("epoch", 0)),
                run.data.metrics.get(metric),
                _best_value(client, run.info.run_id, metric, mode),
            )
        )
    return rows


def finish_trials(client: MlflowClient, parent: str, status: str) -> None:
    """Trials Tune stopped early (or Ctrl-C killed) cannot close their own MLflow runs; do it for them.

    ASHA can stop a trial right after an epoch's report reached Tune, before the trial's driver
    logged that epoch: its metrics are taken from the checkpoints Ray Train persisted.
    """
    from emoai_core.tracking.runs import child_runs
    from emoai_core.tracking.tracker import Tracker
    from emoai_core.training.checkpoints import backfill_epochs

    for run in child_runs(client, parent):
        if run.info.status == "RUNNING":
            backfill_epochs(client, Tracker(client, run.info.run_id), run.info.run_id)
            client.set_tag(run.info.run_id, "emoai.stopped_early", "true" if status == "KILLED" else "false")
            client.set_terminated(run.info.run_id, status=status)
