"""emoai_core.model.thresholds: per-label cuts fitted on validation, 0.5 where too few positives."""

from __future__ import annotations

import numpy as np

from emoai_core.model.thresholds import decide, fit_thresholds


def test_each_label_gets_the_cut_with_its_best_f1():
    # label 0: positives score 0.3-0.4, negatives 0.1 -> any cut in (0.1, 0.3] separates them;
    # label 1: positives score 0.8+, negatives 0.6 -> a cut above 0.6
    probs = np.array([[0.3, 0.9], [0.35, 0.85], [0.4, 0.8], [0.32, 0.95], [0.31, 0.9], [0.1, 0.6], [0.1, 0.6]])
    targets = np.array([[1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [0, 0], [0, 0]])
    low, high = fit_thresholds(probs, targets)
    assert 0.1 < low <= 0.3
    assert 0.6 < high <= 0.8
    assert decide(probs, [low, high]).astype(int).tolist() == targets.tolist()


def test_a_label_too_rare_to_fit_keeps_one_half():
    probs = np.array([[0.2], [0.1], [0.1], [0.1]])
    targets = np.array([[1], [0], [0], [0]])  # one positive: a fitted cut would be noise
    assert fit_thresholds(probs, targets, min_positives=5) == [0.5]


def test_ties_prefer_the_cut_nearest_one_half():
    probs = np.array([[0.9]] * 5 + [[0.05]] * 5)
    targets = np.array([[1]] * 5 + [[0]] * 5)
    assert fit_thresholds(probs, targets) == [0.5]  # every cut from 0.1 to 0.9 is perfect
