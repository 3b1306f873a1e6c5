"""Multi-label predictions: every label at or above its threshold, else the top one, said so;
single-label answers keep their shape."""

from __future__ import annotations

import numpy as np
import pytest

from emoai_core.base.errors import UsageError
from emoai_core.inference.predict import Prediction, probabilities, to_predictions
from emoai_core.model.labels import LabelMap

MULTI = LabelMap.from_names(["joy", "love?", "fear"], "multi_label").with_thresholds([0.5, 0.3, 0.6])


def test_labels_at_or_above_their_own_threshold_ranked_by_score():
    (pred,) = to_predictions(MULTI, np.array([[0.55, 0.31, 0.59]]))
    assert pred.labels == ("joy", "love?") and not pred.below_threshold  # fear misses its 0.6
    assert pred.label == "fear" and pred.score == pytest.approx(0.59)  # `label` stays the top score


def test_no_label_passing_gives_the_top_one_and_says_so():
    (pred,) = to_predictions(MULTI, np.array([[0.2, 0.1, 0.4]]))
    assert pred.labels == ("fear",) and pred.below_threshold
    assert pred.to_json()["below_threshold"] is True


def test_one_threshold_for_every_label_overrides_the_fitted_ones():
    (pred,) = to_predictions(MULTI, np.array([[0.2, 0.1, 0.4]]), threshold=0.15)
    assert pred.labels == ("fear", "joy")


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5])
def test_a_threshold_outside_zero_one_is_refused(bad):
    with pytest.raises(UsageError, match="between 0 and 1"):
        to_predictions(MULTI, np.array([[0.2, 0.1, 0.4]]), threshold=bad)


def test_a_threshold_for_a_single_label_model_is_refused():
    with pytest.raises(UsageError, match="multi-label models only"):
        to_predictions(LabelMap.from_names(["a", "b"]), np.array([[0.6, 0.4]]), threshold=0.3)


def test_single_label_answers_keep_their_shape():
    (pred,) = to_predictions(["sadness", "joy"], np.array([[0.2, 0.8]]))
    assert pred.to_json() == {"label": "joy", "score": 0.8, "probabilities": {"joy": 0.8, "sadness": 0.2}}


def test_a_prediction_survives_the_trip_through_json():
    (pred,) = to_predictions(MULTI, np.array([[0.55, 0.31, 0.59]]))
    assert Prediction.from_json(pred.to_json()) == pred


def test_multi_label_models_score_each_label_with_a_sigmoid():
    logits = np.array([[0.0, 2.0, -2.0]])
    assert probabilities(logits, MULTI) == pytest.approx(1 / (1 + np.exp(-logits)))
    assert probabilities(logits, LabelMap.from_names("abc")).sum() == pytest.approx(1.0)
