"""emoai_core.training.abstain: the "no emotion" threshold fitted with the trained model."""

from __future__ import annotations

from types import SimpleNamespace

from emoai_core.model.labels import LabelMap
from emoai_core.training.abstain import fit_on_abstain_data


def test_the_threshold_is_fitted_on_the_abstain_data_and_stored_in_the_labels(tiny_model_dir):
    labels = LabelMap.from_names(["sadness", "joy", "love", "anger", "fear", "surprise"])
    texts = ["i feel fine today", "so happy", "so sad", "the bus is late", "angry", "meeting at noon"] * 4
    rows = ["neutral", "joy", "sadness", "neutral", "anger", "neutral"] * 4
    data = SimpleNamespace(read_split=lambda split: (texts, rows), ref="gen7@x")
    plan = SimpleNamespace(
        abstain_data=data, labels=labels, config=SimpleNamespace(max_length=16, abstain_label="neutral")
    )
    fitted, metrics = fit_on_abstain_data(tiny_model_dir, plan)
    assert fitted.names == labels.names and fitted.abstain == metrics["abstain_threshold"]
    assert 0.2 <= fitted.abstain <= 0.99
    assert 0.0 <= metrics["abstain_neutral_recall"] <= 1.0 and metrics["abstain_balanced_accuracy"] >= 0.5
