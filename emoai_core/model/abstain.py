"""The abstain threshold: below it, a single-label model says "no emotion here".

A softmax always picks one of its emotions, so "the meeting is at 3pm" came out joy 0.79. With
texts that carry no emotion (GoEmotions' neutral rows) beside texts that do, the threshold on the
top probability is the one that best separates them: the mean of the share of neutral texts
abstained on and the share of emotional texts still answered (balanced accuracy).
"""

from __future__ import annotations

import numpy as np

GRID = tuple(round(x, 2) for x in np.arange(0.20, 0.991, 0.01))


def fit_abstain(
    neutral_top: np.ndarray, emotional_top: np.ndarray, grid: tuple[float, ...] = GRID
) -> tuple[float, dict[str, float]]:
    """The threshold with the best balanced accuracy (ties: the lowest), and its two rates."""
    if not len(neutral_top) or not len(emotional_top):
        raise ValueError("fitting an abstain threshold needs neutral and emotional texts")
    best: tuple[float, float, float, float] | None = None
    for t in grid:
        recall = float((neutral_top < t).mean())
        kept = float((emotional_top >= t).mean())
        score = (recall + kept) / 2
        if best is None or score > best[0]:
            best = (score, t, recall, kept)
    score, threshold, recall, kept = best  # type: ignore[misc]
    return threshold, {
        "abstain_threshold": threshold,
        "abstain_neutral_recall": recall,  # neutral texts the model now declines to label
        "abstain_emotional_kept": kept,  # emotional texts it still answers
        "abstain_balanced_accuracy": score,
    }
