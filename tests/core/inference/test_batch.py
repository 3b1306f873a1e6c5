"""emoai_core.inference.batch: Ray Data actors run the same predictors over a batch of texts."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures import LABELS, make_rows

from emoai_core.inference.batch import BatchPredictor, predict_with_ray
from emoai_core.inference.predict import load_predictor


def test_a_batch_keeps_its_columns_and_gains_the_predictions(tiny_model_dir):
    texts = np.asarray([r["text"] for r in make_rows(5, seed=2)], dtype=object)
    ids = np.arange(5)

    out = BatchPredictor(str(tiny_model_dir))({"text": texts, "id": ids})

    expected = load_predictor(tiny_model_dir).predict_proba(list(texts))
    assert out["id"] is ids and out["text"] is texts
    assert out["pred_probs"].shape == (5, len(LABELS))
    np.testing.assert_allclose(out["pred_probs"], expected, rtol=1e-5, atol=1e-6)
    assert list(out["pred_label"]) == [LABELS[i] for i in expected.argmax(axis=1)]
    np.testing.assert_allclose(out["pred_score"], expected.max(axis=1), rtol=1e-5)


def test_the_text_column_can_be_named(tiny_model_dir):
    out = BatchPredictor(str(tiny_model_dir), text_col="body")(
        {"body": np.asarray(["i feel happy"], dtype=object)}
    )
    assert out["pred_label"][0] in LABELS


@pytest.mark.slow
def test_ray_data_returns_probabilities_in_input_order(ray_session, tiny_model_dir):
    texts = [r["text"] for r in make_rows(20, seed=4)]
    progress: list[tuple[int, int]] = []

    probs = predict_with_ray(texts, tiny_model_dir, batch_size=8, on_progress=lambda *a: progress.append(a))

    expected = load_predictor(tiny_model_dir).predict_proba(texts)
    np.testing.assert_allclose(probs, expected, rtol=1e-4, atol=1e-5)
    assert progress[-1] == (20, 20)
