"""What Ray Train persisted for a run: its checkpoints' epochs and metrics, and the best one.

Ray Train keeps a snapshot of its checkpoint manager beside the checkpoints; reading it tells
`--resume` where a run stands and lets a resumed (or early-stopped) run log the epochs whose
checkpoint was saved but whose metrics never reached MLflow.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from emoai_core.training.config import TrainConfig

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from ray.train import Checkpoint, Result

    from emoai_core.tracking.tracker import Tracker

SNAPSHOT = "checkpoint_manager_snapshot.json"


def _snapshot(run_id: str) -> dict[str, Any]:
    """Ray Train's snapshot, from the shared storage when one is configured, else from EMOAI_HOME."""
    from emoai_core.storage.runs import read_run_file

    raw = read_run_file(run_id, SNAPSHOT)
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


def last_checkpoint_epoch(run_id: str) -> int:
    """The epoch of the latest checkpoint Ray Train persisted for this run (0: none)."""
    latest = _snapshot(run_id).get("latest_checkpoint_result") or {}
    return int(latest.get("metrics", {}).get("epoch", 0))


def checkpointed_metrics(run_id: str) -> list[dict[str, Any]]:
    """The metrics reported with each checkpoint Ray Train still keeps for this run, by epoch."""
    snapshot = _snapshot(run_id)
    results = [*(snapshot.get("checkpoint_results") or []), snapshot.get("latest_checkpoint_result") or {}]
    by_epoch = {
        int(r["metrics"]["epoch"]): r["metrics"] for r in results if r.get("metrics", {}).get("epoch")
    }
    return [by_epoch[e] for e in sorted(by_epoch)]


def backfill_epochs(client: MlflowClient, tracker: Tracker, run_id: str) -> list[int]:
    """Log the epochs whose checkpoint was persisted but whose metrics never reached MLflow.

    Ctrl-C can land between Ray Train persisting an epoch's checkpoint and the driver logging
    that epoch: the resumed run starts after it, so without this its metrics would be missing.
    """
    logged = {int(m.step) for m in client.get_metric_history(run_id, "val_loss")}
    missing = [m for m in checkpointed_metrics(run_id) if int(m["epoch"]) not in logged]
    for metrics in missing:
        tracker.log_epoch(metrics)
    return [int(m["epoch"]) for m in missing]


def best_checkpoint(result: Result, cfg: TrainConfig) -> tuple[Checkpoint | None, dict[str, float]]:
    """The checkpoint `cfg.checkpoint_metric` ranks best, with the metrics reported beside it."""
    best = (
        result.get_best_checkpoint(cfg.checkpoint_metric, cfg.checkpoint_mode)
        if result.best_checkpoints
        else None
    )
    if best is None:
        return result.checkpoint, dict(result.metrics or {})
    metrics = next((m for c, m in result.best_checkpoints if c.path == best.path), result.metrics)
    return best, dict(metrics)
