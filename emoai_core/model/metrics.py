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
