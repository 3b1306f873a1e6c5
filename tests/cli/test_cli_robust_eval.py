"""`emoai eval --data OTHER` (eval_<dataset>_* metrics), `runs compare --metrics`, `eval --suite`
(behavioural tests) and `runs promote --gate`, on runs that hold the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures import LABELS

from emoai_core.model.labels import LabelMap


def _run_with_model(name: str, model_dir: Path, data: str) -> str:
    from emoai_core.tracking.registry import log_model
    from emoai_core.tracking.store import client, ensure_experiment

    c = client()
    run = c.create_run(ensure_experiment(c, "emoai"), run_name=name, tags={"emoai.data": data}).info
    log_model(run.run_id, model_dir, LabelMap.from_names(LABELS), {}, max_length=48)
    c.set_terminated(run.run_id, status="FINISHED")
    return run.run_id


def _metrics(run_id: str) -> dict[str, float]:
    from emoai_core.tracking.store import client

    return client().get_run(run_id).data.metrics


@pytest.fixture
def two_label_data(cli, gen_data, tmp_path) -> str:
    """`gen` mapped down to joy and sadness: a dataset with fewer labels than the model."""
    path = tmp_path / "two.yaml"
    path.write_text("map: {joy: joy, sadness: sadness}\nunmapped: drop\n")
    result = cli("data", "map", gen_data, path, "--name", "gen2", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["ref"]


def test_eval_on_another_dataset_logs_eval_metrics_and_compare_shows_them(
    cli, gen_data, two_label_data, tiny_model_dir
):
    first = _run_with_model("first", tiny_model_dir, gen_data)
    second = _run_with_model("second", tiny_model_dir, gen_data)

    other = cli("eval", "first", "--data", "gen2")
    own = cli("eval", "first")
    cli("eval", "second", "--data", "gen2", "--json")

    assert other.exit_code == 0, other.stderr
    assert "scored over the 2 labels the data has; not in it: love, anger, fear, surprise" in other.stdout
    assert "logged eval_gen2_* metrics" in other.stderr and "logged test_* metrics" in own.stderr
    metrics = _metrics(first)
    assert {"eval_gen2_accuracy", "eval_gen2_macro_f1", "eval_gen2_f1_joy", "test_accuracy"} <= set(metrics)
    assert "eval_gen2_f1_love" not in metrics  # not a label of the data
    from emoai_core.tracking.store import client

    artifacts = {f.path for f in client().list_artifacts(first, "evaluation")}
    assert {"evaluation/eval_gen2.json", "evaluation/eval_test.json"} <= artifacts

    compared = cli(
        "runs", "compare", "first", "second", "--metrics", "eval_gen2_acc*,test_accuracy", "--all", "--json"
    )
    data = json.loads(compared.stdout)
    assert list(data["metrics"]) == ["eval_gen2_accuracy", "test_accuracy"] and data["params"] == {}
    assert data["metrics"]["eval_gen2_accuracy"][0] == data["metrics"]["eval_gen2_accuracy"][1]
    assert data["metrics"]["test_accuracy"][1] is None
    table = cli("runs", "compare", "first", "second", "-m", "eval_*,test_*", "--all").stdout
    assert "eval_gen2_macro_f1" in table and "first" in table and "second" in table
    assert second[:8] in table
    none = cli("runs", "compare", "first", "second", "-m", "nothing_*")
    assert none.exit_code == 0 and "No metric matches nothing_*" in none.stderr


def test_eval_on_data_with_labels_the_model_lacks_exits_2(cli, gen_data, tiny_model_dir, tmp_path):
    path = tmp_path / "rename.yaml"
    path.write_text("map: {joy: happiness, sadness: sadness}\nunmapped: drop\n")
    assert cli("data", "map", gen_data, path, "--name", "renamed").exit_code == 0

    result = cli("eval", "--model-dir", tiny_model_dir, "--data", "renamed")

    assert result.exit_code == 2
    err = result.stderr.strip().splitlines()
    assert err[0].startswith("Error: renamed@") and err[0].endswith(
        "has labels the model does not know: happiness"
    )
    assert err[1].startswith("Hint: map them onto the model's labels") and "emoai data map" in err[1]


def test_eval_suite_on_a_model_folder(cli, tiny_model_dir, tmp_path):
    mine = tmp_path / "tickets.yaml"
    mine.write_text("tests: [{name: refund, type: MFT, expect: anger, texts: [I want my money back]}]\n")

    result = cli("eval", "--model-dir", tiny_model_dir, "--suite", "behaviour", "--suite", mine, "--json")

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["suite"].startswith("behaviour+tickets@") and report["run_id"] is None
    names = [t["name"] for t in report["tests"]]
    assert names[-1] == "refund" and "negated_joy" in names
    assert set(report["capabilities"]) == {
        "emoji",
        "names_places",
        "negation",
        "neutral",
        "robustness",
        "vocabulary",
        "tickets",
    }
    table = cli("eval", "--model-dir", tiny_model_dir, "--suite", "behaviour", "-v")
    assert (
        "Per capability" in table.stdout and "pass rate" in table.stdout and "First failures" in table.stdout
    )
    assert "cannot say 'no emotion'" in table.stdout
    refused = cli("eval", "--model-dir", tiny_model_dir, "--suite", "behaviour", "--data", "x")
    assert refused.exit_code == 2 and "--suite runs the behavioural tests" in refused.stderr


def test_promote_gate_uses_the_logged_rate_or_runs_the_suite(cli, gen_data, tiny_model_dir):
    from emoai_core.base.settings import paths
    from emoai_core.tracking.store import client

    evaluated = _run_with_model("evaluated", tiny_model_dir, gen_data)
    never = _run_with_model("never", tiny_model_dir, gen_data)
    result = cli("eval", "evaluated", "--suite", "behaviour")
    assert (
        result.exit_code == 0 and "logged behaviour_*_failure_rate and behaviour_pass_rate" in result.stderr
    )
    run = client().get_run(evaluated)
    rate = run.data.metrics["behaviour_pass_rate"]
    assert run.data.tags["emoai.behaviour.suite"].startswith("behaviour@")
    assert run.data.metrics["behaviour_no_emotion_failure_rate"] == 1.0

    refused = cli("runs", "promote", "evaluated", "--gate", "0.99")

    assert refused.exit_code == 1
    errors = [x for x in refused.stderr.splitlines() if x.startswith("Error:")]
    assert len(errors) == 1
    line = errors[0]
    assert line.startswith(
        f"Error: run {evaluated[:8]} passes {rate:.1%} of the behavioural suite behaviour@"
    )
    assert "below the gate of 99.0%: not promoted" in line
    assert not paths().local_copy("production").exists()

    again = cli("runs", "promote", "never", "--gate", "0.99", "--json")
    assert again.exit_code == 1
    assert client().get_run(never).data.metrics["behaviour_pass_rate"] == pytest.approx(
        rate
    )  # run now, logged

    for bad in ("0", "1.5"):
        assert cli("runs", "promote", "never", "--gate", bad).exit_code == 2
    assert cli("runs", "promote", "never", "--suite", "behaviour").exit_code == 2


@pytest.mark.slow
def test_promote_passes_the_gate_and_moves_the_alias(cli, gen_data, tiny_model_dir):
    from emoai_core.base.settings import paths

    _run_with_model("ok", tiny_model_dir, gen_data)
    result = cli("runs", "promote", "ok", "--gate", "0.05")
    assert result.exit_code == 0, result.stderr
    assert "behavioural pass rate" in result.stderr and "measured now and logged" in result.stderr
    assert "@production → emoai-emotion v1" in result.stdout
    assert (paths().local_copy("production") / "model.onnx").is_file()
