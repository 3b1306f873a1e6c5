"""A multi-label data version through the whole path: train (BCE, fitted thresholds, safe metric
names for free-text labels) → promote → predict → eval → runs list → HF export in a plain pipeline."""

from __future__ import annotations

import json

import pytest
from fixtures import MULTI_LABELS, store_multilabel_version

pytestmark = pytest.mark.slow


@pytest.fixture
def trained(cli, ray_session, tiny_model_dir, emoai_home):
    ref = store_multilabel_version()
    result = cli(
        "train", "--data", ref, "--model", tiny_model_dir, "--epochs", "3", "--lr", "0.01",
        "--batch-size", "16", "--max-length", "32", "--promote", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_training_logs_multilabel_metrics_under_safe_names_and_fits_thresholds(trained, emoai_home):
    from emoai_core.tracking.store import client

    run = client().get_run(trained["run_id"])
    assert run.data.tags["emoai.task"] == "multi_label"
    metrics = run.data.metrics
    for key in ("val_macro_f1", "val_micro_f1", "val_hamming_loss", "val_accuracy", "val_macro_f1_at_thresholds"):
        assert key in metrics, key
    assert {"val_f1_joy_mild", "val_f1_love", "val_f1_anger", "val_f1_fear"} <= set(metrics)
    local = json.loads((emoai_home / "models" / "production" / "labels.json").read_text())
    assert local["labels"] == MULTI_LABELS and local["task"] == "multi_label"
    assert len(local["thresholds"]) == 4 and all(0 < t < 1 for t in local["thresholds"])


def test_predict_eval_and_runs_list_show_the_task(cli, trained):
    predicted = cli("predict", "--json", "i am happy and scared", "the weather")
    assert predicted.exit_code == 0, predicted.stderr
    for pred in json.loads(predicted.stdout):
        assert set(pred["labels"]) <= set(MULTI_LABELS) and pred["labels"]
        assert isinstance(pred["below_threshold"], bool) and len(pred["probabilities"]) == 4
    report = cli("eval", "--json")
    assert report.exit_code == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["task"] == "multi_label" and data["hamming_loss"] is not None
    assert [r["threshold"] for r in data["per_class"]] == data["thresholds"]
    listed = json.loads(cli("runs", "list", "--json").stdout)
    assert listed[0]["task"] == "multi_label"


def test_the_hf_export_applies_a_sigmoid_in_a_plain_pipeline(cli, trained, tmp_path):
    from transformers import pipeline

    from emoai_core.inference.predict import load_predictor

    out = tmp_path / "hf"
    assert cli("export", trained["run_id"], "--format", "hf", "-o", out).exit_code == 0
    scores = pipeline("text-classification", model=str(out), top_k=None)(["i am happy and scared"])[0]
    by_label = {s["label"]: s["score"] for s in scores}
    assert set(by_label) == set(MULTI_LABELS)
    ours = load_predictor(out).predict_proba(["i am happy and scared"])[0]
    assert [by_label[n] for n in MULTI_LABELS] == pytest.approx(list(ours), abs=1e-5)
