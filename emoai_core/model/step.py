"""The one optimisation step and the one shuffle seed of fine-tuning.

`emoai train`'s workers and the benchmarks that search for a better recipe both call these, so
a recipe found in `bench/` is provably the recipe `emoai train` runs.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

GRAD_CLIP = 1.0


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def epoch_seed(seed: int, epoch: int, rank: int = 0) -> int:
    """The batch-order seed of one worker's epoch: different per epoch and rank, fixed by `seed`."""
    return seed * 100_003 + epoch * 1_009 + rank


def to_device(batch: dict[str, np.ndarray], device: torch.device | str | None) -> dict[str, torch.Tensor]:
    import torch

    return {k: torch.as_tensor(v, device=device) for k, v in batch.items()}


def train_step(
    model: torch.nn.Module,
    batch: dict[str, torch.Tensor],
    loss_fn: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
) -> tuple[float, int]:
    """Forward, loss, backward, clip, step: returns the batch's mean loss and its size.

    `batch` holds tensors already on the model's device; its `labels` are popped off.
    """
    import torch

    labels = batch.pop("labels")
    logits = model(**batch).logits
    loss = loss_fn(logits, labels)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
    optimizer.step()
    scheduler.step()
    return float(loss.detach()), len(labels)
