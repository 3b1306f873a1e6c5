"""What the driver hands every Ray Train worker, and what comes back on the progress queue.

Ray passes `LoopConfig` to `loop.train_loop_per_worker` untouched (pickled once per worker), so
the driver and the workers agree on a typed, frozen contract instead of a dict of strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from emoai_core.training.config import TrainConfig
from emoai_core.training.events import EpochReport, Restored, StepProgress, WorkerFailed

if TYPE_CHECKING:
    from ray.util.queue import Queue


@dataclass(frozen=True)
class FaultPlan:
    """Test hook: fail once at the start of `epoch`; `marker` (a file) remembers it already failed.

    With `max_file_bytes`, the disk is full instead, from `epoch` on and on every retry: the worker's
    files may grow no larger than that (RLIMIT_FSIZE), so that epoch's checkpoint cannot be written.
    """

    epoch: int
    marker: str = ""
    max_file_bytes: int | None = None


@dataclass(frozen=True)
class LoopConfig:
    """Everything a worker needs to train, decided by the driver before Ray Train starts."""

    config: TrainConfig
    labels: tuple[str, ...]
    model_source: str
    steps_per_epoch: int
    threads: int
    keep_shards: bool
    class_weights: tuple[float, ...] | None
    task: str = "single_label"
    normalize: tuple[str, ...] = ()  # input normalisation steps (model.normalize), saved with each checkpoint
    sources: tuple[str, ...] = ()  # metric keys of the data versions, when several are trained on
    queue: Queue | None = None
    fault: FaultPlan | None = None


@dataclass(frozen=True)
class FitDone:
    """The last item on the progress queue: `fit()` has returned or raised."""


QueueEvent = Union[StepProgress, EpochReport, WorkerFailed, Restored, FitDone]  # noqa: UP007 - a runtime alias
