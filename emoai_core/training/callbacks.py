"""The Ray Train callback that forwards each epoch report and each worker failure to the driver.

Train V2 runs user callbacks in the controller actor (on the driver's node), not in the driver,
so the driver learns about persisted checkpoints through this queue and does all MLflow logging
itself — one writer, never two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ray.train import UserCallback

from emoai_core.training.events import EpochReport, WorkerFailed

if TYPE_CHECKING:
    from ray.train import Checkpoint
    from ray.util.queue import Queue

ERROR_CHARS = 500


class ReportForwarder(UserCallback):
    def __init__(self, queue: Queue, epochs: int) -> None:
        self.queue = queue
        self.epochs = epochs

    def after_report(self, run_context: Any, metrics: list[dict[str, Any]], checkpoint: Checkpoint | None) -> None:
        reported = dict(metrics[0]) if metrics else {}
        path = checkpoint.path if checkpoint is not None else None
        self.queue.put(EpochReport(int(reported.get("epoch", 0)), self.epochs, reported, path))

    def after_exception(self, run_context: Any, worker_exceptions: dict[int, Exception]) -> None:
        rank, first = next(iter(worker_exceptions.items()), (None, None))
        self.queue.put(WorkerFailed(_describe(first), rank))


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "a worker failed"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1] if text else ''}"[:ERROR_CHARS]
