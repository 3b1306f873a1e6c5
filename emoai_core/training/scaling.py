"""What each worker asks Ray for, checked against the cluster before anything starts.

A request no node can ever hold (GPUs on a CPU-only cluster, more workers than slots) fails at
once with exit 2, unless `--wait` lets an autoscaling cluster grow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emoai_core.training.config import TrainConfig

if TYPE_CHECKING:
    from ray.train import ScalingConfig


def scaling_config(num_workers: int, cpu: float, gpu: float, placement: str = "pack") -> ScalingConfig:
    """What each worker asks Ray for (CPUs always, GPUs only when requested) and how workers share nodes.

    `spread` asks Ray's placement group to put the workers on as many nodes as it can (a lost
    node then costs one worker); `pack` fills few nodes (less network between workers).
    """
    from ray.train import ScalingConfig

    resources = {"CPU": cpu}
    if gpu:
        resources["GPU"] = gpu
    return ScalingConfig(
        num_workers=num_workers,
        use_gpu=bool(gpu),
        resources_per_worker=resources,
        placement_strategy=placement.upper(),
    )


def scaling_for(cfg: TrainConfig, wait: bool) -> tuple[ScalingConfig, float]:
    """The ScalingConfig for this request and its CPUs per worker, after checking the cluster can hold it."""
    from emoai_core.cluster import ray_env

    nodes = ray_env.alive_nodes()
    cpu = cfg.cpu_per_worker or ray_env.default_cpu_per_worker(nodes, cfg.num_workers)
    if not wait:
        ray_env.check_capacity(nodes, cfg.num_workers, cpu, cfg.gpu_per_worker)
    return scaling_config(cfg.num_workers, cpu, cfg.gpu_per_worker, cfg.placement), cpu
