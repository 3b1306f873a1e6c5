"""Evaluation metrics (checked by hand), slices, outputs, and `emoai eval --model-dir`."""

from __future__ import annotations

import json

import pytest

from emoai_core.inference.report import compute_report, is_negated, is_short


def test_report_matches_hand_computation():
    texts = [
        "i am not happy",
        "so happy",
        "i feel sad today and tomorrow and the day after",
        "sad",
        "angry at nothing",
        "mad",
    ]
    y_true = ["joy", "joy", "sadness", "sadness", "anger", "anger"]
    y_pred = ["sadness", "joy", "sadness", "sadness", "anger", "joy"]
    r = compute_report(
        texts, y_true, y_pred, ["joy", "sadness", "anger"], model="m", data="d@v", split="test", seconds=0.0
    )
    assert r.accuracy == pytest.approx(4 / 6)
    per = {row["label"]: row for row in r.per_class}
    # joy: tp 1, fp 1 (mad), fn 1 → p .5 r .5 f .5; sadness: tp 2, fp 1 → p 2/3 r 1 f .8; anger: tp 1, fn 1 → p 1 r .5 f 2/3
    assert per["joy"]["f1"] == pytest.approx(0.5) and per["sadness"]["f1"] == pytest.approx(0.8)
    assert per["anger"]["precision"] == pytest.approx(1.0) and per["anger"]["recall"] == pytest.approx(0.5)
    assert r.averages["macro"]["f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    assert r.averages["micro"]["f1"] == pytest.approx(4 / 6)
    assert r.averages["weighted"]["recall"] == pytest.approx(4 / 6)
    assert r.confusion == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    slices = {s["name"]: s for s in r.slices}
    assert slices["negation"]["size"] == 2 and slices["negation"]["accuracy"] == pytest.approx(0.5)
    assert slices["short"]["size"] == 5
    metrics = r.mlflow_metrics("test")
    assert metrics["test_macro_f1"] == pytest.approx(r.averages["macro"]["f1"])
    assert metrics["test_f1_sadness"] == pytest.approx(0.8) and "test_weighted_f1" in metrics


def test_slice_membership():
    assert is_negated("i didnt want this") and is_negated("I don't know") and not is_negated("knot tying")
    assert is_short("one two three") and not is_short("one two three four five six seven eight")


def test_eval_model_dir_on_pulled_data(cli, gen_data, tiny_model_dir, tmp_path):
    out = tmp_path / "report"
    result = cli(
        "eval",
        "--model-dir",
        tiny_model_dir,
        "--data",
        gen_data,
        "--split",
        "test",
        "--json",
        "--output",
        out,
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rows"] == 60 and report["split"] == "test" and report["backend"] == "in-process"
    assert set(report["averages"]) == {"macro", "weighted", "micro"}
    assert sum(map(sum, report["confusion"])) == 60
    assert (out / "confusion_matrix_test.png").read_bytes()[:4] == b"\x89PNG"
    table = cli("eval", "--model-dir", tiny_model_dir, "--data", gen_data)
    assert "Confusion matrix" in table.stdout and "macro" in table.stdout and "negation" in table.stdout


def test_eval_without_any_model(cli, gen_data):
    result = cli("eval", "--data", gen_data)
    assert result.exit_code == 2 and "no trained model to evaluate" in result.stderr


def test_eval_unknown_split(cli, gen_data, tiny_model_dir):
    result = cli("eval", "--model-dir", tiny_model_dir, "--data", gen_data, "--split", "holdout")
    assert result.exit_code == 2 and "has no 'holdout' split" in result.stderr


@pytest.mark.slow
def test_eval_through_ray_data_matches_in_process(cli, ray_session, gen_data, tiny_model_dir):
    local = json.loads(cli("eval", "--model-dir", tiny_model_dir, "--data", gen_data, "--json").stdout)
    remote = json.loads(
        cli("eval", "--model-dir", tiny_model_dir, "--data", gen_data, "--ray", "--json").stdout
    )
    assert remote["backend"] == "ray-data"
    assert remote["confusion"] == local["confusion"]
