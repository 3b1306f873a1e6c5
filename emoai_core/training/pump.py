"""The driver's side of a running `fit()`: queue events become MLflow metrics and UI events.

`fit()` blocks, so it runs in a thread (`base.threads`) while the main thread reads the progress
queue. The fit thread ends the stream with `FitDone`, so the pump can wait long on an empty queue:
each timed-out wait is a call to the queue actor, CPU taken from the training threads.
"""

from __future__ import annotations

import contextlib
import queue as queue_mod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from emoai_core.base import threads
from emoai_core.base.events import emit
from emoai_core.training.events import EpochReport, Restored, StepProgress, WorkerFailed
from emoai_core.training.protocol import FitDone

if TYPE_CHECKING:
    from ray.util.queue import Queue

    from emoai_core.tracking.tracker import Tracker

T = TypeVar("T")
PUMP_WAIT_S = 5.0  # longest wait on an empty progress queue before checking the fit thread


class Pump:
    def __init__(self, queue: Queue, tracker: Tracker, on_event: Callable | None) -> None:
        self.queue = queue
        self.tracker = tracker
        self.on_event = on_event
        self.failures: list[WorkerFailed] = []

    def run(self, fit: Callable[[], T]) -> T:
        """Call `fit` in a thread, handling every event until it ends; its error is raised here."""
        thread, outcome = threads.start(fit, "emoai-fit", after=self._done)
        while True:
            try:
                event = self.queue.get(timeout=PUMP_WAIT_S)
            except (queue_mod.Empty, Exception):  # ray.util.queue.Empty subclasses queue.Empty
                if thread.is_alive():
                    continue
                break
            if isinstance(event, FitDone):
                break
            self.handle(event)
        self._drain()
        thread.join()
        return outcome.get()

    def _done(self) -> None:
        with contextlib.suppress(Exception):  # a dead queue: the pump sees the thread has ended
            self.queue.put(FitDone())

    def _drain(self) -> None:
        """Handle events that reached the queue after FitDone (a worker's last step events may)."""
        while True:
            try:
                event = self.queue.get_nowait()
            except Exception:  # noqa: BLE001 - Empty, or the queue actor is gone: nothing more to read
                return
            if not isinstance(event, FitDone):
                self.handle(event)

    def handle(self, event: Any) -> None:
        if isinstance(event, StepProgress):
            self.tracker.log_step(event.loss, event.global_step)
            emit(self.on_event, event)
        elif isinstance(event, EpochReport):
            self.tracker.log_epoch(event.metrics)
            emit(self.on_event, event)
        elif isinstance(event, WorkerFailed):
            self.failures.append(event)
            emit(self.on_event, event)
        elif isinstance(event, Restored):
            self.tracker.log_restored(event.epoch, event.checkpoint)
            emit(self.on_event, event)
