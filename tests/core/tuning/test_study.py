"""emoai_core.tuning.study: a Ray Tune study over `emoai train`'s code, checked before anything starts."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.base.settings import paths
from emoai_core.training.config import TrainConfig
from emoai_core.tuning import study
from emoai_core.tuning.options import TuneOptions
from emoai_core.tuning.space import parse_space


def test_asha_lets_a_trial_reach_its_last_epoch():
    scheduler = study._scheduler(TuneOptions(scheduler="asha"), epochs=3)

    assert scheduler._max_t == 4  # one past the last epoch: the trial finishes and logs its model
    assert scheduler._time_attr == "epoch"
    assert scheduler._reduction_factor == 2
    assert study._scheduler(TuneOptions(scheduler="fifo"), epochs=3) is None


def test_the_searcher_is_optuna_or_tunes_own_random_sampling():
    from ray.tune.search.optuna import OptunaSearch

    assert isinstance(study._searcher(TuneOptions(search="optuna", seed=3)), OptunaSearch)
    assert study._searcher(TuneOptions(search="random")) is None


def test_the_tuner_names_the_study_after_its_parent_run(emoai_home):
    import ray

    ray_was_up = ray.is_initialized()
    space = parse_space({"lr": {"loguniform": [1e-5, 1e-3]}})
    opts = TuneOptions(num_trials=6, max_concurrent=3, metric="val_loss", mode="min")

    tuner = study._tuner({"epochs": 2}, "parent123", space, opts, concurrent=3, epochs=2)

    run_config = tuner._local_tuner.get_run_config()
    tune_config = tuner._local_tuner._tune_config
    assert run_config.name == "tune-parent123"
    assert run_config.storage_path == str(emoai_home.resolve() / "ray_results")
    assert (tune_config.num_samples, tune_config.max_concurrent_trials) == (6, 3)
    assert (tune_config.metric, tune_config.mode) == ("val_loss", "min")
    assert tune_config.scheduler._max_t == 3
    assert ray.is_initialized() == ray_was_up  # building the tuner starts no Ray


@pytest.mark.parametrize(
    ("opts", "message"),
    [
        (TuneOptions(num_trials=0), "--num-trials and --max-concurrent must be at least 1"),
        (TuneOptions(scheduler="hyperband"), "unknown scheduler 'hyperband'"),
        (TuneOptions(search="grid"), "unknown search 'grid'"),
    ],
)
def test_bad_options_are_refused_before_the_data_is_read(opts, message):
    with pytest.raises(UsageError, match=message):
        study.tune(TrainConfig(data="never-pulled"), parse_space({"lr": {"uniform": [0.001, 0.01]}}), opts)


def test_an_unknown_metric_is_refused_before_mlflow_or_ray(gen_data):
    space = parse_space({"lr": {"uniform": [0.001, 0.01]}})

    with pytest.raises(
        UsageError, match="does not report a metric named 'val_f1_joyy' \\(did you mean val_f1_joy\\?\\)"
    ):
        study.tune(TrainConfig(data=gen_data), space, TuneOptions(metric="val_f1_joyy"))

    assert not paths().mlflow_db.exists()  # no study run was created
