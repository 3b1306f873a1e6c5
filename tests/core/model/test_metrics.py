"""emoai_core.model.metrics: validation metrics from summable counts, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from emoai_core.model.metrics import (
    confusion_counts,
    metrics_from_confusion,
    metrics_from_multilabel_counts,
    multilabel_counts,
)


def test_single_label_metrics_from_a_confusion_matrix():
    cm = confusion_counts(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 3)
    metrics = metrics_from_confusion(cm)
    assert metrics["accuracy"] == 0.75
    assert metrics["per_class_f1"][:2] == pytest.approx([2 / 3, 0.8])
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)  # class 2 never seen: skipped


def test_multilabel_counts_sum_over_workers_to_the_whole_split():
    truth = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 0]])
    pred = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 0, 0]])
    whole = multilabel_counts(truth, pred)
    halves = multilabel_counts(truth[:2], pred[:2]) + multilabel_counts(truth[2:], pred[2:])
    assert np.array_equal(whole, halves)
    metrics = metrics_from_multilabel_counts(whole)
    # label 0: tp 2; label 1: tp 1, fn 1; label 2: fn 1, fp 1
    assert metrics["per_class_f1"] == pytest.approx([1.0, 2 / 3, 0.0])
    assert metrics["macro_f1"] == pytest.approx((1 + 2 / 3 + 0) / 3)
    assert metrics["micro_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 2))
    assert metrics["subset_accuracy"] == 0.5  # rows 2 and 4 exactly right
    assert metrics["hamming_loss"] == pytest.approx(3 / 12)
