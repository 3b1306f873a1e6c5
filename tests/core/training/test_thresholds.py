"""emoai_core.training.thresholds: a multi-label model's thresholds, fitted on the validation split."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from emoai_core.model.classifier import build_classifier, load_tokenizer, save_model_dir
from emoai_core.model.labels import LabelMap
from emoai_core.training.thresholds import fit_on_validation


@pytest.fixture
def multilabel_model(tiny_model_dir, tmp_path):
    labels = LabelMap.from_names(["joy", "anger"], "multi_label")
    model = build_classifier(str(tiny_model_dir), labels)
    return save_model_dir(model, load_tokenizer(str(tiny_model_dir)), labels, tmp_path / "model"), labels


def test_thresholds_are_fitted_per_label_on_validation_and_scored_there(multilabel_model):
    model_dir, labels = multilabel_model
    rows = [["joy"], ["anger"], ["joy", "anger"], []] * 5
    texts = ["happy", "furious", "happy furious", "weather"] * 5
    data = SimpleNamespace(read_split=lambda split: (texts, rows) if split == "validation" else pytest.fail(split))
    plan = SimpleNamespace(data=data, sources=(), labels=labels, config=SimpleNamespace(max_length=16))

    fitted, metrics = fit_on_validation(model_dir, plan)

    assert fitted.names == labels.names and fitted.task == "multi_label"
    assert len(fitted.thresholds) == 2 and all(0 < t < 1 for t in fitted.thresholds)
    assert set(metrics) == {"val_macro_f1_at_thresholds", "val_micro_f1_at_thresholds"}
    assert all(0.0 <= v <= 1.0 for v in metrics.values())
    # 10 positives per label: an untrained head still gets a cut that finds some of them
    assert metrics["val_micro_f1_at_thresholds"] > 0
