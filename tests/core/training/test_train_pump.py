"""The driver's pump: queue events become MLflow metrics and UI events until fit() ends."""

from __future__ import annotations

import queue as queue_mod

import pytest

from emoai_core.training import pump as pump_mod
from emoai_core.training.events import EpochReport, StepProgress, WorkerFailed
from emoai_core.training.protocol import FitDone
from emoai_core.training.pump import Pump


class FakeQueue:
    """ray.util.queue.Queue's surface over a local queue; counts the waits that timed out."""

    def __init__(self, dead: bool = False) -> None:
        self.items: queue_mod.Queue = queue_mod.Queue()
        self.timeouts = 0
        self.dead = dead

    def put(self, item: object) -> None:
        if self.dead:
            raise RuntimeError("queue actor died")
        self.items.put(item)

    def get(self, timeout: float | None = None) -> object:
        if self.dead:
            raise RuntimeError("queue actor died")
        try:
            return self.items.get(timeout=timeout)
        except queue_mod.Empty:
            self.timeouts += 1
            raise

    def get_nowait(self) -> object:
        if self.dead:
            raise RuntimeError("queue actor died")
        return self.items.get_nowait()


class FakeTracker:
    def __init__(self) -> None:
        self.steps: list[int] = []
        self.epochs: list[int] = []

    def log_step(self, loss: float, global_step: int) -> None:
        self.steps.append(global_step)

    def log_epoch(self, metrics: dict) -> None:
        self.epochs.append(int(metrics["epoch"]))


def step(n: int) -> StepProgress:
    return StepProgress(epoch=1, step=n, steps_per_epoch=3, global_step=n, loss=0.5, lr=1e-4)


class FakeTrainer:
    """Puts events like a worker and the report callback do, then returns (or raises)."""

    def __init__(self, q: FakeQueue, events: list[object], error: Exception | None = None) -> None:
        self.q, self.events, self.error = q, events, error

    def fit(self) -> str:
        for event in self.events:
            self.q.put(event)
        if self.error is not None:
            raise self.error
        return "result"


def test_pump_handles_every_event_and_ends_at_fit_done_without_waiting_out_a_timeout(monkeypatch):
    monkeypatch.setattr(pump_mod, "PUMP_WAIT_S", 60.0)
    q, tracker, seen = FakeQueue(), FakeTracker(), []
    events = [step(1), step(2), EpochReport(1, 1, {"epoch": 1, "val_loss": 0.3}, "/ckpt/1")]
    result = Pump(q, tracker, seen.append).run(FakeTrainer(q, events).fit)
    assert result == "result"
    assert tracker.steps == [1, 2] and tracker.epochs == [1]
    assert [type(e) for e in seen] == [StepProgress, StepProgress, EpochReport]
    assert q.timeouts == 0  # ended by FitDone, not by a 60 s wait


def test_pump_drains_events_that_arrive_after_fit_done():
    q, tracker = FakeQueue(), FakeTracker()
    q.put(FitDone())  # a late step event can land behind the fit thread's marker
    q.put(step(7))
    q.put(FitDone())
    Pump(q, tracker, None).run(FakeTrainer(q, []).fit)
    assert tracker.steps == [7]


def test_pump_reraises_the_fit_error_after_handling_earlier_events():
    q, tracker = FakeQueue(), FakeTracker()
    trainer = FakeTrainer(q, [step(1)], error=ValueError("worker failed"))
    with pytest.raises(ValueError, match="worker failed"):
        Pump(q, tracker, None).run(trainer.fit)
    assert tracker.steps == [1]


def test_pump_ends_when_the_queue_actor_is_gone(monkeypatch):
    monkeypatch.setattr(pump_mod, "PUMP_WAIT_S", 0.05)
    q = FakeQueue(dead=True)
    assert Pump(q, FakeTracker(), None).run(FakeTrainer(FakeQueue(), []).fit) == "result"


def test_a_worker_failure_reaches_the_user_and_names_the_error_of_a_failed_run():
    from emoai_core.training.run import _failure_message

    q, tracker, seen = FakeQueue(), FakeTracker(), []
    failed = WorkerFailed("RuntimeError: CUDA out of memory", rank=0)
    pump = Pump(q, tracker, seen.append)
    with pytest.raises(RuntimeError, match="TrainingFailedError"):
        pump.run(FakeTrainer(q, [step(1), failed], error=RuntimeError("TrainingFailedError: see logs")).fit)
    assert seen[-1] == failed and pump.failures == [failed]
    message = _failure_message(RuntimeError("TrainingFailedError: see logs"), [f.error for f in pump.failures])
    assert message == "training failed: RuntimeError: CUDA out of memory"
