"""How far the running epoch of a training run is: step, samples per second, time left.

Between two epoch points the only news of a run is its `train_loss_step` metric (logged at
`step = global step`, ~25 times an epoch) and its params (`train_rows`, `batch_size`,
`num_workers`): enough to place the last step inside its epoch and to time the steps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlflow import MlflowClient

STEP_METRIC = "train_loss_step"
RATE_POINTS = 6  # the step rate comes from the last few points of the running epoch


def steps_per_epoch(train_rows: int, num_workers: int, batch_size: int) -> int:
    """Optimizer steps in one epoch: each worker takes an equal share of the rows, in batches."""
    rows_per_worker = train_rows // max(num_workers, 1)
    return -(-rows_per_worker // max(batch_size, 1))


@dataclass(frozen=True)
class EpochProgress:
    epoch: int
    epochs: int | None
    step: int  # within the epoch
    steps: int
    loss: float
    samples_per_s: float | None
    eta_s: float | None  # until the epoch ends
    updated: float  # when the last step was logged (seconds since the epoch)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def epoch_progress(points: list[tuple[int, float, float]], params: dict[str, str]) -> EpochProgress | None:
    """From (global step, loss, timestamp s) points and the run's params; None without them."""
    try:
        steps = steps_per_epoch(int(params["train_rows"]), int(params.get("num_workers") or 1), int(params["batch_size"]))
    except (KeyError, ValueError):
        return None
    if not points or steps <= 0:
        return None
    points = sorted(points)
    global_step, loss, updated = points[-1]
    epoch = (global_step - 1) // steps + 1
    step = global_step - (epoch - 1) * steps
    recent = [p for p in points if (p[0] - 1) // steps + 1 == epoch][-RATE_POINTS:]
    rate = None
    if len(recent) >= 2 and recent[-1][2] > recent[0][2]:
        rate = (recent[-1][0] - recent[0][0]) / (recent[-1][2] - recent[0][2])  # steps per second
    samples = int(params["batch_size"]) * int(params.get("num_workers") or 1)
    epochs = int(params["epochs"]) if str(params.get("epochs", "")).isdigit() else None
    return EpochProgress(
        epoch, epochs, step, steps, float(loss),
        round(rate * samples, 2) if rate else None, round((steps - step) / rate, 1) if rate else None, updated,
    )  # fmt: skip


def run_progress(client: MlflowClient, run_id: str, params: dict[str, str]) -> EpochProgress | None:
    history = client.get_metric_history(run_id, STEP_METRIC)
    return epoch_progress([(int(m.step), float(m.value), m.timestamp / 1000) for m in history], params)
