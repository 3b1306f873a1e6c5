"""emoai_core.inference.behaviour_run: what passes and fails each kind of test, the report, the metrics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fixtures import LABELS

from emoai_core.inference.behaviour import load_suite
from emoai_core.inference.behaviour_run import answers, can_say_no_emotion, evaluate_behaviour, run_suite
from emoai_core.model.labels import LabelMap

SUITE = """
capability: basics
tests:
  - name: joy words
    type: MFT
    expect: joy
    texts: [happy day, sad day, happy again]
  - name: not_sad
    type: MFT
    expect: {none_of: [sadness, grief]}
    texts: [happy day, sad day]
  - name: quiet
    type: MFT
    expect: no_emotion
    texts: [the bus is at 3]
  - name: shouting
    type: INV
    perturb: [uppercase]
    texts: [happy day, sad day]
  - name: sad_face
    type: DIR
    expect: {sadness: up}
    append: " :("
    texts: [happy day, plain day]
  - name: pride
    type: MFT
    expect: pride
    texts: [so proud]
"""


def keyword_model(labels: list[str]):
    """Scores by keyword: "happy" (any case) -> joy, "sad" -> sadness, but "SAD" -> anger,
    ':(' adds sadness; anything else is flat."""

    def predict_proba(texts: list[str]) -> np.ndarray:
        rows = []
        for t in texts:
            row = np.full(len(labels), 0.1)
            if "happy" in t.lower():
                row[labels.index("joy")] = 0.8
            if "sad" in t:
                row[labels.index("sadness")] = 0.8
            if "SAD" in t:
                row[labels.index("anger")] = 0.9
            if ":(" in t:
                row[labels.index("sadness")] += 0.3
            rows.append(
                row / row.sum() if "neutral" not in labels or "bus" not in t else np.eye(len(labels))[-1]
            )
        return np.asarray(rows)

    return predict_proba


@pytest.fixture
def suite(tmp_path: Path):
    path = tmp_path / "basics.yaml"
    path.write_text(SUITE)
    return load_suite([str(path)])


def test_each_kind_of_test_on_a_single_label_model(suite):
    labels = LabelMap.from_names(LABELS)

    report = run_suite(keyword_model(LABELS), labels, suite, model="kw", run_id="r1")

    by = {t.name: t for t in report.tests}
    assert (by["joy words"].cases, by["joy words"].failed) == (3, 1)
    assert by["joy words"].examples == [{"text": "sad day", "answer": ["sadness"]}]
    assert (by["not_sad"].cases, by["not_sad"].failed) == (2, 1)  # grief is not a label: ignored
    quiet = by["quiet"]
    assert (quiet.cases, quiet.failed) == (1, 1) and "cannot say 'no emotion'" in quiet.note
    shouting = by["shouting"]
    assert (shouting.cases, shouting.failed) == (2, 1)  # SAD DAY -> anger
    assert shouting.examples[0]["variant"] == "SAD DAY" and shouting.examples[0]["variant_answer"] == [
        "anger"
    ]
    sad_face = by["sad_face"]
    assert (sad_face.cases, sad_face.failed) == (2, 0)
    pride = by["pride"]
    assert (pride.cases, pride.skipped, pride.failure_rate) == (0, 1, None) and "none of pride" in pride.note
    assert report.cases == 10 and report.failed == 4 and report.pass_rate == pytest.approx(0.6)
    metrics = report.metrics()
    assert metrics["behaviour_joy_words_failure_rate"] == pytest.approx(1 / 3)
    assert metrics["behaviour_pass_rate"] == pytest.approx(0.6)
    assert "behaviour_pride_failure_rate" not in metrics  # nothing was tested
    assert report.capabilities() == {"basics": {"tests": 6, "cases": 10, "failed": 4, "failure_rate": 0.4}}
    data = report.to_json()
    assert (
        data["suite"] == suite.id
        and data["run_id"] == "r1"
        and data["tests"][0]["failure_rate"] == pytest.approx(1 / 3)
    )


def test_a_neutral_label_can_say_no_emotion(suite):
    names = [*LABELS, "neutral"]
    report = run_suite(keyword_model(names), LabelMap.from_names(names), suite)
    quiet = next(t for t in report.tests if t.name == "quiet")
    assert (quiet.cases, quiet.failed, quiet.note) == (1, 0, None)


def test_a_multi_label_model_answers_the_labels_over_their_thresholds(suite):
    labels = LabelMap(tuple(LABELS), "multi_label", (0.5,) * len(LABELS))
    assert can_say_no_emotion(labels) and not can_say_no_emotion(LabelMap.from_names(LABELS))
    probs = np.array([[0.9, 0.6, 0.1, 0.1, 0.1, 0.1], [0.1] * 6])
    assert answers(probs, labels) == [frozenset({"sadness", "joy"}), frozenset()]

    def sigmoid_model(texts):
        return np.array(
            [[0.7 if "sad" in t else 0.1, 0.7 if "happy" in t else 0.1, *[0.1] * 4] for t in texts]
        )

    report = run_suite(sigmoid_model, labels, suite)
    quiet = next(t for t in report.tests if t.name == "quiet")
    assert (quiet.failed, quiet.note) == (0, None)  # nothing passes its threshold: no emotion


def test_the_shipped_suite_on_the_tiny_model(tiny_model_dir):
    report = evaluate_behaviour(tiny_model_dir, load_suite("behaviour"))
    assert report.cases > 100 and 0 <= report.pass_rate <= 1
    assert len(report.metrics()) == len([t for t in report.tests if t.cases]) + 1
    assert next(t for t in report.tests if t.name == "no_emotion").failure_rate == 1.0
