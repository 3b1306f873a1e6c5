"""The Ray Train `TorchTrainer` of one run: the worker loop, its config, storage and fault tolerance.

The run is named after its MLflow run (`settings.ray_run_name`), so `--resume` finds its
checkpoints again and `emoai runs delete` removes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emoai_core.base.settings import ray_run_name
from emoai_core.training.datasets import dataset_config
from emoai_core.training.protocol import LoopConfig

if TYPE_CHECKING:
    from ray.data import Dataset
    from ray.train import ScalingConfig
    from ray.train.torch import TorchTrainer
    from ray.util.queue import Queue

MAX_FAILURES = 2  # a failed worker group is retried from the last checkpoint this many times


def build_trainer(
    loop: LoopConfig,
    datasets: dict[str, Dataset],
    scaling: ScalingConfig,
    run_id: str,
    queue: Queue,
    callbacks: list[Any] | None = None,
) -> TorchTrainer:
    from ray.train import CheckpointConfig, FailureConfig, RunConfig
    from ray.train.torch import TorchTrainer

    from emoai_core.storage.runs import ray_storage
    from emoai_core.training.callbacks import ReportForwarder
    from emoai_core.training.loop import train_loop_per_worker

    cfg = loop.config
    storage_path, filesystem = ray_storage()  # the shared storage when configured: every node reaches it
    run_config = RunConfig(
        name=ray_run_name(run_id),
        storage_path=storage_path,
        storage_filesystem=filesystem,
        checkpoint_config=CheckpointConfig(
            num_to_keep=1,
            checkpoint_score_attribute=cfg.checkpoint_metric,
            checkpoint_score_order=cfg.checkpoint_mode,
        ),
        failure_config=FailureConfig(max_failures=MAX_FAILURES),
        callbacks=[ReportForwarder(queue, cfg.epochs), *(callbacks or [])],
    )
    return TorchTrainer(
        train_loop_per_worker,
        train_loop_config=loop,  # type: ignore[arg-type] - Ray hands it to the workers untouched
        scaling_config=scaling,
        run_config=run_config,
        datasets=datasets,
        dataset_config=dataset_config(datasets, cfg.num_workers, loop.keep_shards),
    )
