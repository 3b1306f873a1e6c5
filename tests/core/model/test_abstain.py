"""emoai_core.model.abstain and the predictions of a model that can say "no emotion here"."""

from __future__ import annotations

import numpy as np
import pytest

from emoai_core.inference.predict import to_predictions
from emoai_core.model.abstain import fit_abstain
from emoai_core.model.labels import LabelMap


def test_the_threshold_separates_neutral_from_emotional_texts():
    neutral = np.array([0.3, 0.35, 0.4, 0.45, 0.6])
    emotional = np.array([0.55, 0.8, 0.9, 0.95, 0.99])
    threshold, metrics = fit_abstain(neutral, emotional)
    assert 0.45 < threshold <= 0.55
    assert metrics["abstain_neutral_recall"] == 0.8 and metrics["abstain_emotional_kept"] == 1.0


def test_fitting_needs_both_kinds_of_text():
    with pytest.raises(ValueError, match="neutral and emotional"):
        fit_abstain(np.array([]), np.array([0.9]))


def test_a_model_with_an_abstain_threshold_says_so_and_keeps_its_answer_shape(tmp_path):
    labels = LabelMap.from_names(["joy", "anger"]).with_abstain(0.7)
    low, high = to_predictions(labels, np.array([[0.6, 0.4], [0.9, 0.1]]))
    assert low.abstained is True and low.label == "joy" and high.abstained is False
    assert low.to_json()["abstained"] is True
    assert "abstained" not in to_predictions(["joy", "anger"], np.array([[0.6, 0.4]]))[0].to_json()
    labels.save(tmp_path)
    assert LabelMap.load(tmp_path).abstain == 0.7
