"""emoai_core.inference.evaluate: predict every labelled row of a split and score the predictions."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fixtures import LABELS, make_rows

from emoai_core.base.errors import UsageError
from emoai_core.data.versions import store
from emoai_core.inference import evaluate as evaluation
from emoai_core.inference import predict
from emoai_core.model.labels import LabelMap


class CueWordPredictor:
    """Says 'joy' when a text contains 'happy', else 'sadness'."""

    labels = ["joy", "sadness"]
    label_map = LabelMap.from_names(labels)

    def predict_proba(self, texts):
        return np.array([[0.8, 0.2] if "happy" in t else [0.3, 0.7] for t in texts])


@pytest.fixture
def cue_model(monkeypatch, tmp_path):
    monkeypatch.setattr(
        predict, "load_predictor", lambda model_dir, threads=None, one_shot=False: CueWordPredictor()
    )
    return tmp_path / "model"


def _version(test_rows):
    texts = [t for t, _ in test_rows]
    labels = [lab for _, lab in test_rows]
    return store(
        "ev", "v1", {"train": (texts, labels), "test": (texts, labels)}, ["joy", "sadness"], {}, None
    )


def test_unlabelled_rows_are_skipped_and_predictions_scored(cue_model):
    dv = _version(
        [("happy day", "joy"), ("happy tears", "sadness"), ("grey", "sadness"), ("who knows", None)]
    )
    progress: list[tuple[int, int]] = []

    report = evaluation.evaluate(
        cue_model,
        dv,
        "test",
        model_name="m",
        run_id="r1",
        use_ray=False,
        on_progress=lambda *a: progress.append(a),
    )

    assert report.rows == 3
    assert report.accuracy == pytest.approx(2 / 3)
    assert report.labels == ["joy", "sadness"]
    assert report.confusion == [[1, 0], [1, 1]]  # rows: true joy, sadness; columns: predicted
    assert (report.model, report.data, report.split, report.run_id) == ("m", "ev@v1", "test", "r1")
    assert report.backend == "in-process"
    assert progress == [(3, 3)]


def test_labels_the_model_does_not_know_are_refused(cue_model):
    dv = _version([("happy", "joy"), ("x", "anger")])
    with pytest.raises(UsageError, match="labels the model does not know: anger"):
        evaluation.evaluate(cue_model, dv, use_ray=False)


def test_write_outputs_writes_the_report_and_the_confusion_matrix(cue_model, tmp_path):
    report = evaluation.evaluate(cue_model, _version([("happy", "joy"), ("meh", "sadness")]), use_ray=False)

    files = evaluation.write_outputs(report, tmp_path / "out")

    assert json.loads(files["report"].read_text())["accuracy"] == 1.0
    assert json.loads(files["confusion_json"].read_text()) == {
        "labels": ["joy", "sadness"],
        "matrix": [[1, 0], [0, 1]],
    }
    assert files["confusion_png"].read_bytes()[:4] == b"\x89PNG"


def test_a_real_model_is_evaluated_in_process(tiny_model_dir):
    rows = make_rows(12, seed=1)
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    dv = store("real", "v1", {"train": (texts, labels), "test": (texts, labels)}, LABELS, {}, None)

    report = evaluation.evaluate(tiny_model_dir, dv, use_ray=False)

    assert report.rows == 12 and report.labels == LABELS
    assert sum(map(sum, report.confusion)) == 12
    assert [row["support"] for row in report.per_class] == [2] * 6
