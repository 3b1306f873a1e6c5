"""The evaluation report of a multi-label model: per-label precision, recall, F1 and support at
each label's threshold, micro/macro/weighted/samples averages, subset accuracy, Hamming loss,
the labels most often predicted in place of (or beside) the true ones, and the slices.

A pure function of true label sets and probabilities, like `report.compute_report`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emoai_core.base.errors import UsageError
from emoai_core.inference.report import SLICES, EvalReport
from emoai_core.model.labels import MULTI_LABEL, LabelMap
from emoai_core.model.thresholds import decide

TOP_PAIRS = 10


def multi_hot(rows: list[list[str]], labels: LabelMap) -> np.ndarray:
    hot = np.zeros((len(rows), len(labels)), dtype=bool)
    index = labels.label2id
    for i, names in enumerate(rows):
        hot[i, [index[n] for n in names]] = True
    return hot


def _averages(truth: np.ndarray, predicted: np.ndarray) -> dict[str, dict[str, float]]:
    from sklearn.metrics import precision_recall_fscore_support

    out = {}
    for avg in ("macro", "weighted", "micro", "samples"):
        p, r, f, _ = precision_recall_fscore_support(truth, predicted, average=avg, zero_division=0)
        out[avg] = {"precision": float(p), "recall": float(r), "f1": float(f)}
    return out


def confused_with(truth: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """`m[a, b]`: rows that have label a and were also given label b, which they do not have."""
    extra = predicted & ~truth
    return truth.astype(np.int64).T @ extra.astype(np.int64)


def _pairs(matrix: np.ndarray, names: tuple[str, ...]) -> list[dict[str, Any]]:
    cells = [(int(matrix[a, b]), a, b) for a in range(len(names)) for b in range(len(names)) if a != b]
    top = sorted((c for c in cells if c[0]), reverse=True)[:TOP_PAIRS]
    return [{"true": names[a], "predicted": names[b], "count": n} for n, a, b in top]


def _slices(texts: list[str], truth: np.ndarray, predicted: np.ndarray) -> list[dict[str, Any]]:
    from sklearn.metrics import f1_score

    out = []
    for name, (description, member) in SLICES.items():
        idx = [i for i, t in enumerate(texts) if member(t)]
        t, p = truth[idx], predicted[idx]
        out.append(
            {
                "name": name,
                "description": description,
                "size": len(idx),
                "accuracy": float((t == p).all(axis=1).mean()) if idx else 0.0,
                "macro_f1": float(f1_score(t, p, average="macro", zero_division=0)) if idx else 0.0,
            }
        )
    return out


def compute_multilabel_report(
    texts: list[str],
    rows: list[list[str]],
    probs: np.ndarray,
    labels: LabelMap,
    thresholds: tuple[float, ...],
    scored: list[str] | None = None,
    **meta: Any,
) -> EvalReport:
    """`scored`: the labels every metric is over (default: all); the others (labels the data does not
    have) are left out of the averages, subset accuracy and Hamming loss, and kept in the confusion."""
    from sklearn.metrics import precision_recall_fscore_support

    if not texts:
        raise UsageError("nothing to evaluate: the split is empty")
    truth, predicted = multi_hot(rows, labels), decide(probs, thresholds)
    cols = [i for i, n in enumerate(labels.names) if scored is None or n in scored]
    t, d = truth[:, cols], predicted[:, cols]
    p, r, f, s = precision_recall_fscore_support(t, d, average=None, zero_division=0)
    per_class = [
        {
            "label": labels.names[i],
            "precision": float(p[k]),
            "recall": float(r[k]),
            "f1": float(f[k]),
            "support": int(s[k]),
            "threshold": float(thresholds[i]),
        }
        for k, i in enumerate(cols)
    ]
    matrix = confused_with(truth, predicted)
    return EvalReport(
        accuracy=float((t == d).all(axis=1).mean()),
        averages=_averages(t, d),
        per_class=per_class,
        labels=list(labels.names),
        confusion=matrix.tolist(),
        slices=_slices(texts, t, d),
        rows=len(texts),
        task=MULTI_LABEL,
        hamming_loss=float((t != d).mean()),
        thresholds=[float(x) for x in thresholds],
        confused_pairs=_pairs(matrix, labels.names),
        not_in_data=[n for i, n in enumerate(labels.names) if i not in cols],
        **meta,
    )
