"""Optimizer, schedule and loss for fine-tuning: the recipe knobs of `TrainConfig`.

Layer-wise learning-rate decay gives lower layers (general language) smaller steps than the top
layers and the new head; class weights and label smoothing help the rare emotions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

NO_DECAY = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
_LAYER = re.compile(r"\.layer\.(\d+)\.")


def _depth(name: str, num_layers: int) -> int:
    """0 for embeddings, i+1 for encoder layer i, num_layers+1 for pooler/head."""
    if "embeddings" in name:
        return 0
    match = _LAYER.search(name)
    if match:
        return int(match.group(1)) + 1
    return num_layers + 1


def parameter_groups(model: torch.nn.Module, lr: float, weight_decay: float, llrd: float) -> list[dict]:
    """AdamW groups: no decay on biases/LayerNorm; lr × llrd^(distance from the top)."""
    model = getattr(model, "module", model)
    num_layers = int(getattr(model.config, "num_hidden_layers", 0) or 0)
    groups: dict[tuple[int, bool], dict] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        depth = _depth(name, num_layers)
        decay = not any(tag in name for tag in NO_DECAY)
        key = (depth, decay)
        if key not in groups:
            scale = llrd ** (num_layers + 1 - depth)
            groups[key] = {"params": [], "lr": lr * scale, "weight_decay": weight_decay if decay else 0.0}
        groups[key]["params"].append(param)
    return [groups[k] for k in sorted(groups)]


def build_optimizer(model: torch.nn.Module, lr: float, weight_decay: float, llrd: float) -> torch.optim.Optimizer:
    import torch

    groups = parameter_groups(model, lr, weight_decay, llrd)
    try:  # the fused kernel (CPU and CUDA) saves ~10 % of a CPU step over the per-tensor loop
        return torch.optim.AdamW(groups, lr=lr, fused=True)
    except (RuntimeError, TypeError, ValueError):  # a device without a fused AdamW
        return torch.optim.AdamW(parameter_groups(model, lr, weight_decay, llrd), lr=lr)


def build_scheduler(optimizer: torch.optim.Optimizer, total_steps: int, warmup_ratio: float) -> torch.optim.lr_scheduler.LRScheduler:
    """Linear warm-up to each group's lr, then linear decay to zero."""
    import torch

    warmup = max(1, math.ceil(total_steps * warmup_ratio)) if warmup_ratio > 0 else 0

    def factor(step: int) -> float:
        if warmup and step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


POS_WEIGHT_CAP = 10.0  # a label seen in 0.2 % of rows must not make the loss all about it


def class_weights(
    counts: Sequence[int], mode: str, rows: int | None = None, multi_label: bool = False
) -> list[float] | None:
    """Per-class loss weights from training counts (None: unweighted).

    Single-label: inverse frequency (or its square root), normalised to mean 1. Multi-label: each
    label's BCE `pos_weight`, (rows without it / rows with it) to the same power, capped at
    POS_WEIGHT_CAP: without it the rare emotions' sigmoids learn to stay low (measured on
    GoEmotions validation: macro-F1 0.20 unweighted, 0.39 with sqrt weights capped at 10).
    """
    if mode == "none":
        return None
    power = 0.5 if mode == "sqrt_inverse" else 1.0
    if multi_label:
        total = rows if rows is not None else max(counts)
        return [min(((total - c) / max(c, 1)) ** power, POS_WEIGHT_CAP) for c in counts]
    raw = [(1.0 / max(c, 1)) ** power for c in counts]
    mean = sum(raw) / len(raw)
    return [w / mean for w in raw]


def build_loss(
    weights: Sequence[float] | None,
    label_smoothing: float,
    device: torch.device | str | None = None,
    multi_label: bool = False,
) -> torch.nn.Module:
    """Cross-entropy over the classes, or for multi-label data a sigmoid + BCE per label."""
    import torch

    weight = None if weights is None else torch.tensor(list(weights), dtype=torch.float32, device=device)
    if multi_label:
        from emoai_core.model.losses import SmoothedBCE

        return SmoothedBCE(weight, label_smoothing)
    return torch.nn.CrossEntropyLoss(weight=weight, label_smoothing=label_smoothing)
