"""`emoai runs list` and `emoai runs show`: runs as rows a terminal or the dashboard can show.

A row joins what MLflow keeps in three places: the run (status, times), its emoai tags (kind,
data version, base model) and the registry (version and aliases).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emoai_core.base.errors import UsageError
from emoai_core.storage.runs import run_location
from emoai_core.tracking import liveness
from emoai_core.tracking.registry import aliases, versions_by_run
from emoai_core.tracking.runs import all_runs, default_client, resolve_run

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Run
    from mlflow.entities.model_registry import ModelVersion

EPOCH_METRICS = ("train_loss", "val_loss", "val_accuracy", "val_macro_f1")
STATUSES = ("RUNNING", "FINISHED", "FAILED", "KILLED", "SCHEDULED")


@dataclass
class RunRow:
    """One line of `emoai runs list`."""

    run_id: str
    name: str
    status: str
    kind: str
    parent: str | None
    started: float | None
    duration: float | None
    data: str | None
    task: str | None  # single_label | multi_label (None: logged before runs recorded their task)
    base_model: str | None
    epoch: int | None
    epochs: int | None
    best_val_accuracy: float | None
    best_val_macro_f1: float | None
    version: str | None
    aliases: list[str]
    experiment_id: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _row(run: Run, versions: dict[str, list[ModelVersion]], known_aliases: dict[str, str]) -> RunRow:
    info, data = run.info, run.data
    metrics, tags = data.metrics, data.tags
    end = info.end_time or (None if info.status == "RUNNING" else info.start_time)
    duration = ((end or time.time() * 1000) - info.start_time) / 1000 if info.start_time else None
    numbers = {str(v.version) for v in versions.get(info.run_id, [])}
    total = tags.get("emoai.total_epochs") or data.params.get("epochs")
    return RunRow(
        run_id=info.run_id,
        name=info.run_name,
        status=info.status,
        kind=tags.get("emoai.kind", "run"),
        parent=tags.get("mlflow.parentRunId"),
        started=info.start_time / 1000 if info.start_time else None,
        duration=duration,
        data=tags.get("emoai.data"),
        task=tags.get("emoai.task"),
        base_model=tags.get("emoai.base_model"),
        epoch=int(metrics["epoch"]) if "epoch" in metrics else None,
        epochs=int(total) if total else None,
        best_val_accuracy=metrics.get("best_val_accuracy", metrics.get("val_accuracy")),
        best_val_macro_f1=metrics.get("best_val_macro_f1", metrics.get("val_macro_f1")),
        version=max(numbers, key=int) if numbers else None,
        aliases=sorted(a for a, v in known_aliases.items() if str(v) in numbers),
        experiment_id=info.experiment_id,
    )


def list_runs(
    experiment: str | None = None, status: str | None = None, limit: int = 50, client: MlflowClient | None = None
) -> list[RunRow]:
    client = default_client(client)
    filter_string = ""
    if status:
        status = status.upper()
        if status not in STATUSES:
            raise UsageError(f"unknown status '{status}'", f"use one of: {', '.join(sorted(STATUSES))}")
        filter_string = f"attributes.status = '{status}'"
    runs = liveness.settle(client, all_runs(client, experiment, filter_string, max_results=limit))
    if status:
        runs = [r for r in runs if r.info.status == status]  # a settled run may leave RUNNING
    versions, known = versions_by_run(client), aliases(client)
    return [_row(r, versions, known) for r in runs]


def metric_history(client: MlflowClient, run_id: str, keys: tuple[str, ...] = EPOCH_METRICS) -> dict[str, list]:
    """Per-epoch history: {metric: [(epoch, value), ...]} (the last value logged for each epoch)."""
    history: dict[str, list] = {}
    for key in keys:
        by_step: dict[int, float] = {}
        for m in sorted(client.get_metric_history(run_id, key), key=lambda m: m.timestamp):
            by_step[int(m.step)] = m.value
        if by_step:
            history[key] = sorted(by_step.items())
    return history


def show_run(ref: str, client: MlflowClient | None = None) -> dict[str, Any]:
    """Everything about one run: params, metrics, per-epoch history, artifacts, tags, registered version."""
    client = default_client(client)
    run = liveness.settle(client, [resolve_run(ref, client)])[0]
    run_id = run.info.run_id
    row = _row(run, versions_by_run(client), aliases(client))
    return {
        **row.to_json(),
        "params": dict(run.data.params),
        "metrics": dict(run.data.metrics),
        "history": metric_history(client, run_id),
        "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.log-model")},
        "artifacts": [a.path for a in client.list_artifacts(run_id)],
        "artifact_uri": run.info.artifact_uri,
        "checkpoints": run_location(run_id),
    }
