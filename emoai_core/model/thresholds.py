"""Per-label decision thresholds of a multi-label model, fitted on validation after training.

A sigmoid output of 0.5 is rarely the best cut for a rare emotion: its scores sit low. Each label
gets the threshold that maximises its own F1 on validation; a label with too few positives there
to fit one keeps 0.5, where a fitted cut would only be noise.
"""

from __future__ import annotations

import numpy as np

from emoai_core.model.labels import DEFAULT_THRESHOLD

GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.951, 0.05))
MIN_POSITIVES = 5


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = float((truth & predicted).sum())
    denom = float(truth.sum() + predicted.sum())
    return 2 * tp / denom if denom else 0.0


def fit_thresholds(
    probs: np.ndarray, targets: np.ndarray, grid: tuple[float, ...] = GRID, min_positives: int = MIN_POSITIVES
) -> list[float]:
    """One threshold per label column: the grid value with the best F1 (ties: the one nearest 0.5)."""
    targets = targets.astype(bool)
    out = []
    for j in range(targets.shape[1]):
        truth = targets[:, j]
        if truth.sum() < min_positives:
            out.append(DEFAULT_THRESHOLD)
            continue
        scored = [(_f1(truth, probs[:, j] >= t), -abs(t - DEFAULT_THRESHOLD), t) for t in grid]
        out.append(float(max(scored)[2]))
    return out


def decide(probs: np.ndarray, thresholds: list[float] | tuple[float, ...]) -> np.ndarray:
    """Multi-hot decisions: every label whose probability reaches its threshold."""
    return probs >= np.asarray(thresholds, dtype=np.float64)[None, :]
