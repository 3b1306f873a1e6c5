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
    CueWordPredictor.label_map.save(tmp_path)
    return tmp_path


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


class NeutralCuePredictor:
    """joy on 'happy', neutral on 'bus', else sadness: a model with a label the data lacks."""

    labels = ["joy", "sadness", "neutral"]
    label_map = LabelMap.from_names(labels)

    def predict_proba(self, texts):
        return np.array(
            [[0.8, 0.1, 0.1] if "happy" in t else [0.1, 0.1, 0.8] if "bus" in t else [0.1, 0.8, 0.1] for t in texts]
        )


def test_data_with_fewer_labels_is_scored_over_its_own_labels(monkeypatch, tmp_path):
    monkeypatch.setattr(predict, "load_predictor", lambda *a, **k: NeutralCuePredictor())
    NeutralCuePredictor.label_map.save(tmp_path)
    dv = _version([("happy", "joy"), ("sad", "sadness"), ("bus sad", "sadness"), ("grey", "sadness")])

    report = evaluation.evaluate(tmp_path, dv, use_ray=False)

    assert report.not_in_data == ["neutral"] and report.scored_labels == ["joy", "sadness"]
    assert [row["label"] for row in report.per_class] == ["joy", "sadness"]
    assert report.accuracy == pytest.approx(3 / 4)  # the neutral answer is wrong
    sadness = report.per_class[1]
    assert (sadness["precision"], sadness["recall"]) == (1.0, pytest.approx(2 / 3))
    assert report.averages["macro"]["recall"] == pytest.approx((1 + 2 / 3) / 2)  # over joy and sadness only
    assert report.labels == ["joy", "sadness", "neutral"]
    assert report.confusion == [[1, 0, 0], [0, 2, 1], [0, 0, 0]]  # the neutral column is kept
    assert "test_f1_neutral" not in report.mlflow_metrics("eval_ev")
    assert report.mlflow_metrics("eval_ev")["eval_ev_f1_sadness"] == pytest.approx(0.8)


def test_labels_the_model_lacks_are_named_before_anything_is_predicted(monkeypatch, cue_model):
    monkeypatch.setattr(predict, "load_predictor", lambda *a, **k: pytest.fail("predicted"))
    dv = store("three", "v1", {"train": (["a"], ["joy"]), "test": (["a"], ["joy"])}, ["joy", "fear", "love"], {}, None)
    with pytest.raises(UsageError, match="three@v1 has labels the model does not know: fear, love") as err:
        evaluation.evaluate(cue_model, dv, use_ray=False)
    assert "emoai data map three@v1 MAP.yaml --name NEW" in err.value.hint


def test_multi_label_data_on_a_single_label_model_says_to_map_it(cue_model):
    from fixtures import store_multilabel_version

    from emoai_core.data.versions import resolve_version

    dv = resolve_version(store_multilabel_version())
    with pytest.raises(UsageError, match="is multi-label data but the model is single-label") as err:
        evaluation.evaluate(cue_model, dv, use_ray=False)
    assert "keep_if_agree" in err.value.hint


@pytest.mark.parametrize(
    ("data", "split", "run_data", "prefix"),
    [
        ("emotion", "test", "emotion@abc", "test"),
        ("emotion", "validation", "emotion@abc", "validation"),
        ("goemotions6", "test", "emotion@abc", "eval_goemotions6"),
        ("goemotions6", "validation", "emotion@abc", "eval_goemotions6_validation"),
        ("goemotions6", "test", "emotion@abc, goemotions6@def", "test"),
        ("goemotions6", "test", None, "eval_goemotions6"),
        ("Tweets (2024)", "test", "emotion@abc", "eval_Tweets_2024"),
    ],
)
def test_metric_prefix(data, split, run_data, prefix):
    dv = store(data, "v1", {"train": (["a"], ["joy"])}, ["joy"], {}, None)
    assert evaluation.metric_prefix(dv, split, run_data) == prefix
