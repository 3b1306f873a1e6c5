"""What a study is asked for and what it reports: options, checks, events and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emoai_core.base.errors import UsageError, close_matches
from emoai_core.model.labels import LabelMap

METRICS = ("val_macro_f1", "val_accuracy", "val_loss", "train_loss")
MULTI_LABEL_METRICS = ("val_micro_f1", "val_hamming_loss")


@dataclass
class TuneOptions:
    num_trials: int = 4
    max_concurrent: int = 2
    search: str = "random"
    scheduler: str = "asha"
    metric: str = "val_macro_f1"
    mode: str = "max"
    promote: bool = False
    seed: int = 0


@dataclass(frozen=True)
class TrialRow:
    run_id: str
    name: str
    status: str
    params: dict[str, str]
    epoch: int
    metric: float | None
    best: float | None


@dataclass(frozen=True)
class StudyStarted:
    run_id: str
    run_name: str
    num_trials: int
    max_concurrent: int
    cpu_per_worker: float
    space: dict[str, str]


@dataclass(frozen=True)
class TrialsUpdate:
    trials: list[TrialRow]
    pending: int
    metric: str


@dataclass
class TuneResult:
    run_id: str
    run_name: str
    metric: str
    mode: str
    best_run_id: str | None
    best_value: float | None
    best_params: dict[str, Any]
    version: str | None
    promoted: bool
    trials: list[TrialRow] = field(default_factory=list)
    seconds: float = 0.0


def check_metric(metric: str, mode: str, labels: LabelMap | list[str]) -> None:
    """The metric must be one training reports for this label set (per-label F1 under its metric key)."""
    label_map = labels if isinstance(labels, LabelMap) else LabelMap.from_names(labels)
    extra = MULTI_LABEL_METRICS if label_map.multi_label else ()
    known = [*METRICS, *extra, *(f"val_f1_{k}" for k in label_map.metric_keys.values())]
    if metric not in known:
        near = close_matches(metric, known)
        raise UsageError(
            f"training does not report a metric named '{metric}'"
            + (f" (did you mean {near[0]}?)" if near else ""),
            f"metrics: {', '.join(known)}",
        )
    if mode not in ("max", "min"):
        raise UsageError(f"unknown mode '{mode}'", "use --mode max or --mode min")


def check_options(opts: TuneOptions) -> None:
    if opts.num_trials < 1 or opts.max_concurrent < 1:
        raise UsageError("--num-trials and --max-concurrent must be at least 1")
    if opts.search not in ("random", "optuna"):
        raise UsageError(f"unknown search '{opts.search}'", "use --search random or --search optuna")
    if opts.scheduler not in ("asha", "fifo"):
        raise UsageError(f"unknown scheduler '{opts.scheduler}'", "use --scheduler asha or --scheduler fifo")
