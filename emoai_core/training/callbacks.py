"""The Ray Train callback that forwards each epoch report to the driver's queue.

Train V2 runs user callbacks in the controller actor (on the driver's node), not in the driver,
so the driver learns about persisted checkpoints through this queue and does all MLflow logging
itself — one writer, never two.
"""

from __future__ import annotations

import time
from typing import Any

from ray.train import UserCallback


class ReportForwarder(UserCallback):
    def __init__(self, queue: Any) -> None:
        self.queue = queue

    def after_report(self, run_context: Any, metrics: list[dict[str, Any]], checkpoint: Any) -> None:
        event = {
            "type": "report",
            "metrics": dict(metrics[0]) if metrics else {},
            "checkpoint": checkpoint.path if checkpoint is not None else None,
            "time": time.time(),
        }
        self.queue.put(event)

    def after_exception(self, run_context: Any, worker_exceptions: dict[int, Exception]) -> None:
        first = next(iter(worker_exceptions.values()), None)
        self.queue.put({"type": "worker_error", "error": repr(first)[:500], "time": time.time()})
