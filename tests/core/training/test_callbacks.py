"""emoai_core.training.callbacks: the controller's callback forwards epoch reports and worker failures."""

from __future__ import annotations

from types import SimpleNamespace

from emoai_core.training.callbacks import ERROR_CHARS, ReportForwarder
from emoai_core.training.events import EpochReport, WorkerFailed


class FakeQueue:
    def __init__(self) -> None:
        self.items: list[object] = []

    def put(self, item: object) -> None:
        self.items.append(item)


def test_an_epoch_report_carries_the_metrics_and_the_persisted_checkpoint():
    queue = FakeQueue()
    forwarder = ReportForwarder(queue, epochs=5)
    metrics = {"epoch": 2, "val_accuracy": 0.8}

    forwarder.after_report(
        None, [metrics, {"epoch": 2, "val_accuracy": 0.1}], SimpleNamespace(path="/storage/ckpt_2")
    )
    forwarder.after_report(None, [], None)

    assert queue.items == [EpochReport(2, 5, metrics, "/storage/ckpt_2"), EpochReport(0, 5, {}, None)]
    assert queue.items[0].metrics is not metrics  # a copy: later changes on the worker side do not leak


def test_a_worker_failure_names_the_exception_and_the_rank():
    queue = FakeQueue()
    forwarder = ReportForwarder(queue, epochs=3)

    forwarder.after_exception(None, {1: RuntimeError("Traceback ...\n  line 3\nCUDA out of memory")})
    forwarder.after_exception(None, {})
    forwarder.after_exception(None, {0: ValueError("x" * 2000)})

    assert queue.items[0] == WorkerFailed("RuntimeError: CUDA out of memory", 1)
    assert queue.items[1] == WorkerFailed("a worker failed", None)
    assert queue.items[2].error.startswith("ValueError: xxx") and len(queue.items[2].error) == ERROR_CHARS
