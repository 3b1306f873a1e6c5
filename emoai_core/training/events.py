"""What a training run tells the outside world while it runs.

The same typed events travel on the workers' progress queue (`StepProgress` from rank 0,
`EpochReport` and `WorkerFailed` from the Ray Train controller's callback) and reach the CLI, the
TUI and tests through `on_event`, so nothing is re-typed on the way.
"""

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
    time: float = 0.0


@dataclass(frozen=True)
class EpochReport:
    """One epoch's metrics, reported once every worker reached `ray.train.report`.

    `checkpoint` is where Ray Train persisted that epoch's checkpoint (None for UI copies).
    """

    epoch: int
    epochs: int
    metrics: dict[str, float] = field(default_factory=dict)
    checkpoint: str | None = None


@dataclass(frozen=True)
class WorkerFailed:
    """A training worker raised; Ray Train retries from the last checkpoint while retries remain."""

    error: str
    rank: int | None = None


@dataclass(frozen=True)
class Restored:
    """The workers started from a persisted checkpoint (a retry after a failure, or `--resume`)."""

    epoch: int
    checkpoint: str  # where it was read from: the shared storage's URI, or a local folder


@dataclass(frozen=True)
class Phase:
    """A named stage before or after the epochs (validating data, starting Ray, registering…)."""

    name: str
