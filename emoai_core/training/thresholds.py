"""After a multi-label run: per-label decision thresholds fitted on validation with the best model.

The thresholds travel in the model's `labels.json`, so predict, serve, eval and every export
decide with the cut that was fitted; the validation scores at those cuts are logged to the run
(`val_*_at_thresholds`, optimistic by construction: fitted and scored on the same split).
"""

from __future__ import annotations

from pathlib import Path

from emoai_core.inference.multilabel_report import multi_hot
from emoai_core.model.labels import LabelMap
from emoai_core.model.metrics import metrics_from_multilabel_counts, multilabel_counts
from emoai_core.model.thresholds import decide, fit_thresholds
from emoai_core.training.plan import Plan


def fit_on_validation(model_dir: Path, plan: Plan) -> tuple[LabelMap, dict[str, float]]:
    """The plan's labels with fitted thresholds, and validation metrics at 0.5 and at those thresholds."""
    from emoai_core.inference.predict import TorchPredictor

    texts, rows = [], []
    for source in plan.sources or (plan.data,):  # every data version trained on
        source_texts, source_rows = source.read_split("validation")
        texts += source_texts
        rows += source_rows
    targets = multi_hot(rows, plan.labels)
    probs = TorchPredictor(model_dir, max_length=plan.config.max_length).predict_proba(texts)
    thresholds = fit_thresholds(probs, targets)
    fitted = metrics_from_multilabel_counts(multilabel_counts(targets, decide(probs, thresholds)))
    metrics = {
        "val_macro_f1_at_thresholds": float(fitted["macro_f1"]),
        "val_micro_f1_at_thresholds": float(fitted["micro_f1"]),
    }
    return plan.labels.with_thresholds(thresholds), metrics
