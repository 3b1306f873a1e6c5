"""emoai_core.training.trainer: one run's TorchTrainer, named after its MLflow run, stored under EMOAI_HOME."""

from __future__ import annotations

from emoai_core.training.callbacks import ReportForwarder
from emoai_core.training.config import TrainConfig
from emoai_core.training.loop import train_loop_per_worker
from emoai_core.training.protocol import LoopConfig
from emoai_core.training.trainer import MAX_FAILURES, build_trainer


def test_the_trainer_is_named_stored_checkpointed_and_forwards_reports(emoai_home):
    import ray
    from ray.train import ScalingConfig, UserCallback

    queue, extra = object(), UserCallback()
    ray_was_up = ray.is_initialized()
    loop = LoopConfig(
        TrainConfig(epochs=3, checkpoint_metric="val_loss"), ("joy", "sadness"), "/m", 4, 1, False, None
    )

    trainer = build_trainer(loop, {}, ScalingConfig(num_workers=1), "run123", queue, callbacks=[extra])

    run = trainer.run_config
    assert run.name == "emoai-run123"
    assert run.storage_path == str(emoai_home.resolve() / "ray_results")
    assert run.failure_config.max_failures == MAX_FAILURES == 2
    checkpoints = run.checkpoint_config
    assert (
        checkpoints.num_to_keep,
        checkpoints.checkpoint_score_attribute,
        checkpoints.checkpoint_score_order,
    ) == (
        1,
        "val_loss",
        "min",
    )
    forwarder, passed = run.callbacks
    assert isinstance(forwarder, ReportForwarder) and forwarder.queue is queue and forwarder.epochs == 3
    assert passed is extra
    assert trainer.train_loop_config is loop
    assert trainer.train_loop_per_worker is train_loop_per_worker
    assert ray.is_initialized() == ray_was_up  # building a trainer starts no Ray
