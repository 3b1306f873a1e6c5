"""An evaluation report from true and predicted labels: every average named, a per-class table,
the confusion matrix and slices (short texts, negations).

A pure function of its inputs, so its numbers can be checked by hand in tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from emoai_core.base.errors import UsageError
from emoai_core.model.labels import SINGLE_LABEL, LabelMap

NEGATIONS = frozenset(
    ["not", "no", "never", "nothing", "nobody", "none", "nowhere", "neither", "nor", "cannot", "without", "dont", "didnt", "doesnt", "isnt", "wasnt", "arent", "werent", "cant", "couldnt", "wont", "wouldnt", "shouldnt", "havent", "hasnt", "hadnt", "aint", "don't", "didn't", "doesn't", "isn't", "wasn't", "aren't", "weren't", "can't", "couldn't", "won't", "wouldn't", "shouldn't", "haven't", "hasn't", "hadn't", "ain't"]
)
SHORT_WORDS = 8
_WORD = re.compile(r"[a-z']+")


@dataclass
class EvalReport:
    model: str
    data: str
    split: str
    rows: int
    accuracy: float
    averages: dict[str, dict[str, float]]  # macro/weighted/micro -> precision/recall/f1
    per_class: list[dict[str, Any]]
    labels: list[str]
    # single-label: rows true label, columns predicted label; multi-label: rows a true label,
    # columns a label predicted although the row does not have it (what a label is confused with)
    confusion: list[list[int]]
    slices: list[dict[str, Any]]
    seconds: float
    run_id: str | None = None
    backend: str = "in-process"
    task: str = SINGLE_LABEL
    hamming_loss: float | None = None  # multi-label: share of wrong (row, label) decisions
    thresholds: list[float] | None = None  # multi-label: the decision threshold of each label
    confused_pairs: list[dict[str, Any]] = field(default_factory=list)  # the largest cells of `confusion`
    # the model's labels the data does not have: left out of every average and the per-class table
    # (a single-label prediction of one is simply wrong); the confusion matrix keeps their columns
    not_in_data: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def scored_labels(self) -> list[str]:
        """The labels the metrics are over: the model's labels that the data has."""
        return [lab for lab in self.labels if lab not in self.not_in_data]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def mlflow_metrics(self, prefix: str = "test") -> dict[str, float]:
        """`test_accuracy`, `test_macro_f1`, …, `test_f1_<label key>` (the split name is the prefix).

        For multi-label data `accuracy` is the subset accuracy (every label of a row right).
        """
        out = {f"{prefix}_accuracy": self.accuracy}
        if self.hamming_loss is not None:
            out[f"{prefix}_hamming_loss"] = self.hamming_loss
        for avg, values in self.averages.items():
            for metric in ("precision", "recall", "f1"):
                out[f"{prefix}_{avg}_{metric}"] = values[metric]
        keys = LabelMap.from_names(self.labels).metric_keys
        for row in self.per_class:
            out[f"{prefix}_f1_{keys[row['label']]}"] = row["f1"]
        for s in self.slices:
            out[f"{prefix}_slice_{s['name']}_accuracy"] = s["accuracy"]
        return out


def is_negated(text: str) -> bool:
    return any(w in NEGATIONS for w in _WORD.findall(text.lower()))


def is_short(text: str) -> bool:
    return len(text.split()) < SHORT_WORDS


SLICES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "short": (f"fewer than {SHORT_WORDS} words", is_short),
    "negation": ("contains a negation word", is_negated),
}


def compute_report(
    texts: list[str],
    y_true: list[str],
    y_pred: list[str],
    labels: list[str],
    scored: list[str] | None = None,
    **meta: Any,
) -> EvalReport:
    """All metrics from true and predicted label names (a pure function: easy to check by hand).

    `scored`: the labels the averages and the per-class table are over (default: all of `labels`);
    the confusion matrix and accuracy always cover every label the model can predict.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    if not texts:
        raise UsageError("nothing to evaluate: the split is empty")
    every, labels = list(labels), list(scored or labels)
    averages = {}
    for avg in ("macro", "weighted", "micro"):
        p, r, f, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=avg, zero_division=0
        )
        averages[avg] = {"precision": float(p), "recall": float(r), "f1": float(f)}
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None, zero_division=0)
    per_class = [
        {
            "label": lab,
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(s[i]),
        }
        for i, lab in enumerate(labels)
    ]
    slices = []
    for name, (description, member) in SLICES.items():
        idx = [i for i, t in enumerate(texts) if member(t)]
        truth, pred = [y_true[i] for i in idx], [y_pred[i] for i in idx]
        macro = (
            precision_recall_fscore_support(truth, pred, labels=labels, average="macro", zero_division=0)[2]
            if idx
            else 0.0
        )
        slices.append(
            {
                "name": name,
                "description": description,
                "size": len(idx),
                "accuracy": float(accuracy_score(truth, pred)) if idx else 0.0,
                "macro_f1": float(macro),
            }
        )
    return EvalReport(
        accuracy=float(accuracy_score(y_true, y_pred)),
        averages=averages,
        per_class=per_class,
        labels=every,
        confusion=confusion_matrix(y_true, y_pred, labels=every).astype(int).tolist(),
        slices=slices,
        rows=len(texts),
        not_in_data=[lab for lab in every if lab not in labels],
        **meta,
    )
