"""emoai_core.tracking.progress: the running epoch from train_loss_step points and the run's params."""

from __future__ import annotations

from emoai_core.tracking.progress import epoch_progress, steps_per_epoch

PARAMS = {"train_rows": "1600", "batch_size": "32", "num_workers": "1", "epochs": "4"}


def test_steps_per_epoch_matches_training():
    assert steps_per_epoch(1600, 1, 32) == 50
    assert steps_per_epoch(1601, 2, 32) == 25  # each worker takes 800 rows: 25 batches of 32
    assert steps_per_epoch(16000, 1, 30) == 534


def test_the_last_step_placed_in_its_epoch_with_rate_and_time_left():
    points = [(50 + s, 0.5, 1000.0 + 2 * s) for s in range(2, 22, 2)]  # epoch 2, a step every 2 s
    p = epoch_progress(points, PARAMS)
    assert (p.epoch, p.epochs, p.step, p.steps) == (2, 4, 20, 50)
    assert p.samples_per_s == 16.0  # 0.5 steps/s × 32 samples
    assert p.eta_s == 60.0  # 30 steps left at 0.5 steps/s
    assert p.to_json()["loss"] == 0.5


def test_the_rate_comes_from_the_running_epoch_only():
    points = [(40, 0.9, 0.0), (50, 0.8, 10.0), (51, 0.7, 500.0), (53, 0.6, 504.0)]  # a long pause at the epoch end
    p = epoch_progress(points, PARAMS)
    assert (p.epoch, p.step) == (2, 3) and p.samples_per_s == 16.0


def test_no_progress_without_points_or_params():
    assert epoch_progress([], PARAMS) is None
    assert epoch_progress([(1, 0.5, 1.0)], {"batch_size": "32"}) is None
    one = epoch_progress([(1, 0.5, 1.0)], PARAMS)
    assert one.step == 1 and one.samples_per_s is None and one.eta_s is None
