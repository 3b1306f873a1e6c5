"""A Ctrl-C that lands inside an MLflow write waits for the write, then interrupts as usual."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from emoai_core.base.interrupts import deferred_sigint


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_a_ctrl_c_inside_is_delivered_after_the_body_finishes():
    finished = []
    with pytest.raises(KeyboardInterrupt), deferred_sigint():
        _ctrl_c()
        finished.append(True)  # a plain handler would have raised before this line
    assert finished == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_ctrl_c_interrupts_at_once():
    """A write that hangs (a tracking server retrying) must not trap the user."""
    finished = []
    with pytest.raises(KeyboardInterrupt), deferred_sigint():
        _ctrl_c()
        _ctrl_c()
        finished.append(True)
    assert finished == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_without_a_ctrl_c_nothing_is_raised_and_the_handler_is_restored():
    with deferred_sigint():
        value = 1 + 1
    assert value == 2 and signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_signal_goes_to_the_handler_that_was_in_place():
    seen: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: seen.append(signum))
    try:
        with deferred_sigint():
            _ctrl_c()
            assert seen == []
        assert seen == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_off_the_main_thread_the_body_runs_unguarded():
    outcome: list[object] = []

    def body() -> None:
        try:
            with deferred_sigint():
                outcome.append(signal.getsignal(signal.SIGINT))
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion below
            outcome.append(exc)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert outcome == [signal.default_int_handler]


def test_tracker_write_interrupted_by_ctrl_c_lands_in_the_store(emoai_home):
    """The CI failure this guards against: Ctrl-C mid log_metric turned into 'database is locked'."""
    from emoai_core.tracking.store import client as tracking_client
    from emoai_core.tracking.store import ensure_experiment
    from emoai_core.tracking.tracker import Tracker

    mlflow_client = tracking_client()
    run_id = mlflow_client.create_run(ensure_experiment(mlflow_client, "emoai")).info.run_id

    class CtrlCMidWrite:
        """The real client, with a Ctrl-C arriving after the write has begun."""

        def __getattr__(self, name):
            real = getattr(mlflow_client, name)

            def call(*args, **kwargs):
                _ctrl_c()
                return real(*args, **kwargs)

            return call

    tracker = Tracker(CtrlCMidWrite(), run_id)
    with pytest.raises(KeyboardInterrupt):
        tracker.log_epoch({"epoch": 1, "val_loss": 0.5})
    with pytest.raises(KeyboardInterrupt):
        tracker.log_step(0.7, 3)
    with pytest.raises(KeyboardInterrupt):
        tracker.finish("KILLED")
    run = mlflow_client.get_run(run_id)
    assert run.data.metrics == {"epoch": 1.0, "val_loss": 0.5, "train_loss_step": 0.7}
    assert run.info.status == "KILLED" and tracker.history == [{"epoch": 1, "val_loss": 0.5}]
