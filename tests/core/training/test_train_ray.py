"""Training for real: Ray Train workers, checkpoints, MLflow, failure recovery, resume (slow)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TINY = ["--lr", "0.005", "--batch-size", "16", "--max-length", "32", "--warmup-ratio", "0.1"]


def _tracking():
    from emoai_core.tracking.store import client

    return client()


def test_train_two_workers_tracks_everything(cli, ray_session, gen_data, tiny_model_dir, emoai_home):
    result = cli(
        "train",
        "--data",
        gen_data,
        "--model",
        tiny_model_dir,
        "--num-workers",
        "2",
        "--cpu-per-worker",
        "1",
        "--epochs",
        "3",
        "--run-name",
        "tiny-two",
        "--json",
        *TINY,
    )
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    run_id = out["run_id"]
    assert out["model_version"] == "1" and out["data"] == gen_data
    assert "emoai runs promote" in result.stderr  # next steps are printed

    client = _tracking()
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED" and run.info.run_name == "tiny-two"
    assert run.data.params["num_workers"] == "2" and run.data.params["epochs"] == "3"
    assert run.data.tags["emoai.data"] == gen_data
    history = client.get_metric_history(run_id, "val_accuracy")
    assert sorted(m.step for m in history) == [1, 2, 3]
    losses = {m.step: m.value for m in client.get_metric_history(run_id, "train_loss")}
    assert losses[3] < losses[1] - 0.1, losses  # the tiny model learns the cue words
    assert client.get_metric_history(run_id, "train_loss_step")
    inputs = run.inputs.dataset_inputs
    assert inputs and inputs[0].dataset.name == "gen" and inputs[0].dataset.digest == gen_data.split("@")[1]
    versions = client.search_model_versions("name='emoai-emotion'")
    assert [v.run_id for v in versions] == [run_id]

    ckpt_root = emoai_home / "ray_results" / f"emoai-{run_id}"
    ckpts = sorted(p for p in ckpt_root.glob("checkpoint_*") if p.is_dir())
    assert ckpts, "no checkpoint persisted"
    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "labels.json",
        "optimizer.pt",
        "scheduler.pt",
        "trainer_state.json",
    ):
        assert (ckpts[-1] / name).is_file(), name

    listed = json.loads(cli("runs", "list", "--json").stdout)
    assert listed[0]["run_id"] == run_id and listed[0]["version"] == "1" and listed[0]["epoch"] == 3

    promoted = cli("runs", "promote", run_id[:8], "--json")
    assert promoted.exit_code == 0, promoted.stderr
    local = Path(json.loads(promoted.stdout)["local_copy"])
    assert json.loads((local / "meta.json").read_text())["run_id"] == run_id
    listed = json.loads(cli("runs", "list", "--json").stdout)
    assert listed[0]["aliases"] == ["production"]
    assert cli("runs", "show", "@production", "--json").exit_code == 0

    evaluated = cli("eval", "--json")  # default: @production, on the run's own data version
    assert evaluated.exit_code == 0, evaluated.stderr
    report = json.loads(evaluated.stdout)
    assert report["run_id"] == run_id and report["data"] == gen_data and report["rows"] == 60
    logged = client.get_run(run_id).data.metrics
    assert logged["test_accuracy"] == pytest.approx(report["accuracy"])
    assert logged["test_macro_f1"] == pytest.approx(report["averages"]["macro"]["f1"])
    artifacts = {a.path for a in client.list_artifacts(run_id, "evaluation")}
    assert {"evaluation/eval_test.json", "evaluation/confusion_matrix_test.png"} <= artifacts

    predicted = cli("predict", "--json", "i feel so happy and glad today")
    assert predicted.exit_code == 0, predicted.stderr
    assert json.loads(predicted.stdout)[0]["label"] in {"sadness", "joy", "love", "anger", "fear", "surprise"}


def test_worker_failure_resumes_from_last_checkpoint(ray_session, gen_data, tiny_model_dir, tmp_path):
    from emoai_core.training.config import TrainConfig
    from emoai_core.training.protocol import FaultPlan
    from emoai_core.training.run import RunOptions, train

    marker = tmp_path / "failed-once"
    cfg = TrainConfig(
        data=gen_data, model=str(tiny_model_dir), epochs=3, lr=0.005, batch_size=16, max_length=32
    )
    events = []
    result = train(cfg, RunOptions(fault=FaultPlan(2, str(marker))), on_event=events.append)
    assert marker.exists(), "the injected failure never happened"
    client = _tracking()
    runs = client.search_runs([client.get_experiment_by_name("emoai").experiment_id])
    assert [r.info.run_id for r in runs] == [result.run_id]
    assert client.get_run(result.run_id).info.status == "FINISHED"
    epochs = sorted(int(m.step) for m in client.get_metric_history(result.run_id, "val_loss"))
    assert epochs == [1, 2, 3]  # epoch 1 once (restored, not retrained), then 2 and 3
    # the retried worker group continued the global step count from the epoch-1 checkpoint
    steps = [
        int(m.value)
        for m in sorted(client.get_metric_history(result.run_id, "global_step"), key=lambda m: m.step)
    ]
    assert steps == [steps[0], 2 * steps[0], 3 * steps[0]]


def test_gpu_request_fails_fast_on_cpu_cluster(cli, ray_session, gen_data, tiny_model_dir):
    started = time.time()
    result = cli(
        "train", "--data", gen_data, "--model", tiny_model_dir, "--num-workers", "4", "--gpu-per-worker", "1"
    )
    assert result.exit_code == 2
    assert "no GPUs" in result.stderr and "--gpu-per-worker" in result.stderr
    assert time.time() - started < 60
    assert json.loads(cli("runs", "list", "--json").stdout) == []  # nothing was started


def test_too_many_cpus_fails_fast(cli, ray_session, gen_data, tiny_model_dir):
    result = cli(
        "train", "--data", gen_data, "--model", tiny_model_dir, "--num-workers", "3", "--cpu-per-worker", "1"
    )
    assert result.exit_code == 2 and "can hold at most 2" in result.stderr


def test_real_packaged_minilm_trains_a_few_steps(cli, ray_session, gen_data):
    """The default base model (all-MiniLM-L6-v2 from its PyPI package) through the whole path."""
    result = cli(
        "train",
        "--data",
        gen_data,
        "--epochs",
        "1",
        "--limit",
        "64",
        "--batch-size",
        "16",
        "--max-length",
        "32",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    run = _tracking().get_run(out["run_id"])
    assert run.data.tags["emoai.base_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert run.data.params["train_rows"] == "64"
    assert out["model_version"] == "1"
    from emoai_core.tracking.local_models import resolve_model_dir

    model_dir = resolve_model_dir(out["run_id"])
    config = json.loads((model_dir / "config.json").read_text())
    assert config["hidden_size"] == 384 and config["num_hidden_layers"] == 6
    assert set(config["id2label"].values()) == {"sadness", "joy", "love", "anger", "fear", "surprise"}
