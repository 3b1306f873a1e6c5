"""Validation metrics from a confusion matrix.

Workers each count a confusion matrix over their validation shard; the matrices are summed with
one all-reduce, so accuracy and macro-F1 are exact for any number of workers.
"""

from __future__ import annotations

import numpy as np


def confusion_counts(labels: np.ndarray, preds: np.ndarray, num_labels: int) -> np.ndarray:
    """`cm[i, j]` = number of examples of class i predicted as j."""
    return np.bincount(labels * num_labels + preds, minlength=num_labels * num_labels).reshape(
        num_labels, num_labels
    )


def metrics_from_confusion(cm: np.ndarray) -> dict[str, float]:
    """Accuracy, macro-F1 and per-class F1 (classes absent from both truth and predictions are skipped)."""
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    total = cm.sum()
    denom = support + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    present = denom > 0
    return {
        "accuracy": float(tp.sum() / total) if total else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class_f1": [float(x) for x in f1],
    }


def multilabel_counts(targets: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Per-label [tp, fp, fn] rows, plus one last row [exact rows, wrong cells, rows] (all summable)."""
    targets, predicted = targets.astype(bool), predicted.astype(bool)
    per_label = np.stack(
        [
            (targets & predicted).sum(axis=0),
            (~targets & predicted).sum(axis=0),
            (targets & ~predicted).sum(axis=0),
        ],
        axis=1,
    ).astype(np.float64)
    exact = float((targets == predicted).all(axis=1).sum())
    totals = np.array([[exact, float((targets != predicted).sum()), float(len(targets))]])
    return np.concatenate([per_label, totals])


def metrics_from_multilabel_counts(counts: np.ndarray) -> dict[str, float | list[float]]:
    """Subset accuracy, Hamming loss, micro- and macro-F1 and per-label F1 from summed counts."""
    per_label, (exact, wrong, rows) = np.asarray(counts[:-1], dtype=np.float64), counts[-1]
    tp, fp, fn = per_label[:, 0], per_label[:, 1], per_label[:, 2]
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    present = denom > 0
    micro_denom = 2 * tp.sum() + fp.sum() + fn.sum()
    return {
        "subset_accuracy": float(exact / rows) if rows else 0.0,
        "hamming_loss": float(wrong / (rows * len(tp))) if rows else 0.0,
        "micro_f1": float(2 * tp.sum() / micro_denom) if micro_denom else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class_f1": [float(x) for x in f1],
    }
