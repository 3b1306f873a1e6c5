"""The multi-label loss: BCE with logits, optionally smoothed and weighted per label.

Imports torch at module level: import it only where a loss is built (`optim.build_loss`).
"""

from __future__ import annotations

import torch


class SmoothedBCE(torch.nn.Module):
    """BCE with logits; targets pulled towards 0.5 by `smoothing`, positives weighted by `pos_weight`."""

    def __init__(self, pos_weight: torch.Tensor | None, smoothing: float) -> None:
        super().__init__()
        self.smoothing = smoothing
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        targets = targets.float()
        if self.smoothing:
            targets = targets * (1 - self.smoothing) + self.smoothing / 2
        return torch.nn.functional.binary_cross_entropy_with_logits(logits, targets, pos_weight=self.pos_weight)
