"""emoai_core.inference.multilabel_report: the multi-label evaluation, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from emoai_core.base.errors import UsageError
from emoai_core.inference.multilabel_report import compute_multilabel_report
from emoai_core.model.labels import LabelMap

LABELS = LabelMap.from_names(["joy (mild)", "anger", "fear"], "multi_label")
TEXTS = ["so happy", "i am not angry", "happy but scared", "nothing"]
TRUTH = [["joy (mild)"], ["anger"], ["fear", "joy (mild)"], []]
PROBS = np.array([[0.9, 0.1, 0.2], [0.2, 0.7, 0.6], [0.8, 0.1, 0.3], [0.1, 0.1, 0.1]])


def test_report_matches_hand_computation():
    report = compute_multilabel_report(
        TEXTS, TRUTH, PROBS, LABELS, (0.5, 0.5, 0.5), model="m", data="d", split="test", seconds=0.0
    )
    # predicted: {joy} {anger, fear} {joy} {}
    assert report.task == "multi_label" and report.rows == 4
    assert report.accuracy == 0.5  # rows 1 and 4 exactly right
    assert report.hamming_loss == pytest.approx(2 / 12)  # fear wrongly on row 2, missed on row 3
    per = {r["label"]: r for r in report.per_class}
    assert per["joy (mild)"]["f1"] == 1.0 and per["anger"]["f1"] == 1.0 and per["fear"]["f1"] == 0.0
    assert per["fear"]["support"] == 1 and per["fear"]["threshold"] == 0.5
    assert report.confused_pairs == [{"true": "anger", "predicted": "fear", "count": 1}]
    assert report.averages["micro"]["f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
    assert set(report.averages) == {"macro", "weighted", "micro", "samples"}
    negation = next(s for s in report.slices if s["name"] == "negation")
    assert negation["size"] == 2 and negation["accuracy"] == 0.5  # "not angry" wrong, "nothing" right


def test_metric_names_use_safe_keys_and_include_hamming_loss():
    report = compute_multilabel_report(
        TEXTS, TRUTH, PROBS, LABELS, (0.5, 0.5, 0.5), model="m", data="d", split="test", seconds=0.0
    )
    metrics = report.mlflow_metrics("test")
    assert metrics["test_f1_joy_mild"] == 1.0 and "test_hamming_loss" in metrics
    assert "test_samples_f1" in metrics


def test_nothing_to_evaluate_is_a_usage_error():
    with pytest.raises(UsageError, match="empty"):
        compute_multilabel_report(
            [], [], np.zeros((0, 3)), LABELS, (0.5,) * 3, model="m", data="d", split="t", seconds=0.0
        )


def test_data_without_a_label_is_scored_over_its_own_labels():
    truth = [["joy (mild)"], ["anger"], ["joy (mild)"], []]  # data with joy and anger only
    report = compute_multilabel_report(
        TEXTS,
        truth,
        PROBS,
        LABELS,
        (0.5, 0.5, 0.5),
        ["joy (mild)", "anger"],
        model="m",
        data="d",
        split="t",
        seconds=0.0,
    )
    # predicted: {joy} {anger, fear} {joy} {}: the fear on row 2 is not held against the model
    assert report.not_in_data == ["fear"] and [r["label"] for r in report.per_class] == [
        "joy (mild)",
        "anger",
    ]
    assert report.accuracy == 1.0 and report.hamming_loss == 0.0
    assert report.averages["macro"]["f1"] == 1.0
    assert np.asarray(report.confusion).shape == (3, 3) and report.confused_pairs[0]["predicted"] == "fear"
