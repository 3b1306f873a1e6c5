"""The MLflow side of one running run: metrics as they arrive, the status at the end.

Every write holds Ctrl-C until it has finished (see `base.interrupts`), so an interrupted run is
marked KILLED with every epoch it logged intact.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from emoai_core.base.interrupts import deferred_sigint

if TYPE_CHECKING:
    from mlflow import MlflowClient


class Tracker:
    def __init__(self, client: MlflowClient, run_id: str) -> None:
        self.client = client
        self.run_id = run_id
        self.history: list[dict[str, float]] = []
        self.restarts = 0

    def log_step(self, loss: float, global_step: int) -> None:
        """The training loss at one step inside an epoch (`train_loss_step`)."""
        with deferred_sigint():
            self.client.log_metric(self.run_id, "train_loss_step", loss, step=global_step)

    def log_epoch(self, metrics: Mapping[str, float]) -> None:
        """One epoch's metrics, all at `step = epoch`."""
        from mlflow.entities import Metric

        epoch = int(metrics["epoch"])
        now = int(time.time() * 1000)
        batch = [Metric(k, float(v), now, epoch) for k, v in metrics.items() if isinstance(v, int | float)]
        with deferred_sigint():
            self.client.log_batch(self.run_id, metrics=batch)
            self.history.append(dict(metrics))

    def log_final(self, metrics: Mapping[str, float]) -> None:
        """Metrics that describe the finished model rather than an epoch (logged at step 0)."""
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        with deferred_sigint():
            self.client.log_batch(self.run_id, metrics=[Metric(k, float(v), now, 0) for k, v in metrics.items()])

    def log_restored(self, epoch: int, checkpoint: str) -> None:
        """The workers restarted from a checkpoint: how often, and from which (tags)."""
        with deferred_sigint():
            self.restarts += 1
            self.client.set_tag(self.run_id, "emoai.restarts", str(self.restarts))
            self.client.set_tag(self.run_id, "emoai.restored_from", f"epoch {epoch}: {checkpoint}")

    def finish(self, status: str) -> None:
        with deferred_sigint():
            self.client.set_terminated(self.run_id, status=status)
