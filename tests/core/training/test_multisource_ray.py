"""Two data versions in one run, with input normalisation: per-source validation, every source
version recorded, and the normalisation travelling to the promoted model."""

from __future__ import annotations

import json

import pytest
from fixtures import write_split_folder

pytestmark = pytest.mark.slow


def test_two_sources_train_one_model_scored_per_source(
    cli, ray_session, tiny_model_dir, emoai_home, tmp_path
):
    refs = []
    for name, seed in (("alpha", 0), ("beta", 7)):
        pulled = cli(
            "data",
            "pull",
            write_split_folder(tmp_path / name, sizes=(120, 30, 30), seed=seed),
            "--name",
            name,
            "--json",
        )
        refs.append(json.loads(pulled.stdout)["ref"])
    result = cli(
        "train", "--data", refs[0], "--data", refs[1], "--mix", "1,1", "--normalize", "social",
        "--model", tiny_model_dir, "--epochs", "2", "--lr", "0.005", "--batch-size", "16", "--max-length", "32",
        "--promote", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    from emoai_core.tracking.store import client

    run = client().get_run(json.loads(result.stdout)["run_id"])
    assert run.data.tags["emoai.data"] == ",".join(refs)
    assert json.loads(result.stdout)["data"] == ",".join(refs)  # the result names every source
    assert f"data {','.join(refs)} ·" in result.stderr  # and so does the run's first line
    assert {"val_alpha_macro_f1", "val_beta_macro_f1", "val_alpha_accuracy", "val_beta_accuracy"} <= set(
        run.data.metrics
    )
    assert {d.dataset.name for d in run.inputs.dataset_inputs} == {"alpha", "beta"}
    assert run.data.params["normalize"] == "urls,users,emoji,repeats" and run.data.params["mix"] == "1,1"
    copy = emoai_home / "models" / "production"
    assert json.loads((copy / "normalize.json").read_text())["steps"] == ["urls", "users", "emoji", "repeats"]
    # eval defaults to the first source; --data scores the other
    first = json.loads(cli("eval", "--json").stdout)
    assert first["data"] == refs[0]
    other = cli("eval", "--data", refs[1], "--json")
    assert other.exit_code == 0 and json.loads(other.stdout)["data"] == refs[1]


def test_abstain_data_fits_a_no_emotion_threshold_that_predict_shows(
    cli, ray_session, tiny_model_dir, emoai_home, tmp_path
):
    from fixtures import LABELS, make_rows, write_jsonl

    gen = json.loads(
        cli("data", "pull", write_split_folder(tmp_path / "gen"), "--name", "gen", "--json").stdout
    )["ref"]
    with_neutral = tmp_path / "neutral"
    for offset, split in enumerate(("train", "validation", "test")):
        write_jsonl(with_neutral / f"{split}.jsonl", make_rows(70, seed=offset, labels=[*LABELS, "neutral"]))
    neutral = json.loads(cli("data", "pull", with_neutral, "--name", "gen7", "--json").stdout)["ref"]
    result = cli(
        "train", "--data", gen, "--abstain-data", neutral, "--model", tiny_model_dir, "--epochs", "2",
        "--lr", "0.005", "--batch-size", "16", "--max-length", "32", "--promote", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    from emoai_core.tracking.store import client

    metrics = client().get_run(json.loads(result.stdout)["run_id"]).data.metrics
    assert {"abstain_threshold", "abstain_neutral_recall", "abstain_emotional_kept"} <= set(metrics)
    labels = json.loads((emoai_home / "models" / "production" / "labels.json").read_text())
    assert labels["abstain"] == metrics["abstain_threshold"]
    predicted = json.loads(cli("predict", "--json", "the meeting is at 3pm").stdout)[0]
    assert isinstance(predicted["abstained"], bool)
    # the training.abstain module: refused before Ray starts when the label sets do not fit
    wrong = cli("train", "--data", gen, "--abstain-data", gen, "--epochs", "1")
    assert wrong.exit_code == 2 and "must be single-label data with the labels" in wrong.stderr
