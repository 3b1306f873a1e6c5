"""Events a training run emits while it runs (the CLI renders them, tests collect them)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RunStarted:
    run_id: str
    run_name: str
    experiment: str
    data: str
    epochs: int
    steps_per_epoch: int
    num_workers: int
    cpu_per_worker: float
    gpu_per_worker: float
    train_rows: int
    resumed_from_epoch: int = 0


@dataclass(frozen=True)
class StepProgress:
    epoch: int
    step: int
    steps_per_epoch: int
    global_step: int
    loss: float
    lr: float


@dataclass(frozen=True)
class EpochReport:
    epoch: int
    epochs: int
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Phase:
    """A named stage before or after the epochs (validating data, starting Ray, registering…)."""

    name: str
