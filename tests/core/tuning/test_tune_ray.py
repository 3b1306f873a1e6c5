"""A real two-trial Ray Tune study of a tiny model with ASHA (slow)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow
TINY = ["--batch-size", "16", "--max-length", "32", "--warmup-ratio", "0.1"]


def test_two_trial_asha_study_registers_only_the_best(cli, gen_data, tiny_model_dir, emoai_home, tmp_path):
    space = tmp_path / "space.yaml"
    space.write_text("lr: {loguniform: [1.0e-3, 1.0e-2]}\nweight_decay: {choice: [0.0, 0.01]}\n")
    result = cli(
        "tune",
        "--num-trials", "2",
        "--max-concurrent", "2",
        "--scheduler", "asha",
        "--search-space", space,
        "--data", gen_data,
        "--model", tiny_model_dir,
        "--epochs", "2",
        *TINY,
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    study = json.loads(result.stdout)
    assert len(study["trials"]) == 2 and study["best_run_id"]

    from emoai_core.base.settings import REGISTERED_MODEL
    from emoai_core.tracking.store import client as tracking_client

    client = tracking_client()
    parent = client.get_run(study["run_id"])
    assert parent.info.status == "FINISHED" and parent.data.tags["emoai.kind"] == "tune"
    assert parent.data.tags["emoai.best_run"] == study["best_run_id"]
    children = [client.get_run(t["run_id"]) for t in study["trials"]]
    assert all(c.data.tags["mlflow.parentRunId"] == parent.info.run_id for c in children)
    assert all(c.data.tags["emoai.kind"] == "trial" and c.info.status != "RUNNING" for c in children)
    # the best trial is the one with the highest val_macro_f1 any epoch reached
    best_by_history = {
        c.info.run_id: max(m.value for m in client.get_metric_history(c.info.run_id, "val_macro_f1"))
        for c in children
    }
    assert study["best_run_id"] == max(best_by_history, key=best_by_history.get)
    assert study["best_value"] == pytest.approx(max(best_by_history.values()))
    assert parent.data.metrics["best_val_macro_f1"] == pytest.approx(study["best_value"])
    # each trial's params are the sampled values, inside the space
    for c in children:
        assert 1e-3 <= float(c.data.params["lr"]) <= 1e-2
        assert float(c.data.params["weight_decay"]) in (0.0, 0.01)
    versions = client.search_model_versions(f"name='{REGISTERED_MODEL}'")
    assert [v.run_id for v in versions] == [study["best_run_id"]]

    listed = json.loads(cli("runs", "list", "--json").stdout)
    kinds = {r["run_id"]: (r["kind"], r["parent"]) for r in listed}
    assert kinds[study["run_id"]] == ("tune", None)
    assert all(kinds[c.info.run_id] == ("trial", study["run_id"]) for c in children)


def test_a_metric_training_does_not_report_is_refused_before_anything_starts(cli, gen_data, tiny_model_dir):
    result = cli("tune", "--metric", "val_f1_macro", "--data", gen_data, "--model", tiny_model_dir)
    assert result.exit_code == 2
    assert "val_f1_macro" in result.stderr and "val_macro_f1" in result.stderr
    assert "Traceback" not in result.stderr
