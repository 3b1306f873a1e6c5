"""Search-space files and tune options: good ones parse, bad ones are exit 2 with nothing started."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.tuning.space import DEFAULT_SPACE, load_space


def test_default_space_covers_the_recipe():
    space = load_space(None)
    assert set(space.params) == {"lr", "warmup_ratio", "weight_decay", "batch_size", "dropout"}
    assert space.describe()["lr"] == f"loguniform{DEFAULT_SPACE['lr']['loguniform']}"


def test_good_file(tmp_path):
    path = tmp_path / "space.yaml"
    path.write_text(
        "lr: {loguniform: [1.0e-5, 3.0e-4]}\nbatch-size: {choice: [16, 32]}\nepochs: {randint: [2, 5]}\n"
        "label_smoothing: {uniform: [0.0, 0.2]}\n"
    )
    space = load_space(path)
    assert set(space.params) == {"lr", "batch_size", "epochs", "label_smoothing"}
    tune_space = space.to_tune()
    assert set(tune_space) == set(space.params)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lr: {loguniform: [1.0e-5, 3.0e-4]\n", "invalid YAML"),
        ("learning_rate: {uniform: [0.1, 0.2]}\n", "unknown field 'learning_rate'"),
        ("lrr: {uniform: [0.1, 0.2]}\n", "(did you mean lr?)"),
        ("data: {choice: [a, b]}\n", "cannot be tuned 'data'"),
        ("lr: {gaussian: [0.1, 0.2]}\n", "unknown distribution 'gaussian'"),
        ("lr: {loguniforn: [0.1, 0.2]}\n", "(did you mean loguniform?)"),
        ("lr: {uniform: [0.2, 0.1]}\n", "needs low < high"),
        ("lr: {loguniform: [0.0, 0.1]}\n", "loguniform needs low > 0"),
        ("lr: {uniform: [0.1]}\n", "takes two numbers"),
        ("lr: {uniform: [a, b]}\n", "takes two numbers"),
        ("batch_size: {choice: []}\n", "choice needs at least one value"),
        ("batch_size: {uniform: [8, 64]}\n", "batch_size is an integer: use randint or choice"),
        ("batch_size: {choice: [16, big]}\n", "value 'big' is not valid"),
        ("lr: {uniform: [-1.0, 0.1]}\n", "value -1.0 is not valid"),
        ("epochs: {randint: [1.5, 3]}\n", "randint takes integers"),
        ("lr: 0.001\n", "expected one distribution"),
        ("- lr\n", "expected a mapping"),
    ],
)
def test_bad_files(tmp_path, text, message):
    path = tmp_path / "space.yaml"
    path.write_text(text)
    with pytest.raises(UsageError) as info:
        load_space(path)
    assert message in info.value.message and str(path) in info.value.message, info.value.message


def test_bad_space_via_cli_exits_2_before_anything_starts(cli, tmp_path, emoai_home):
    path = tmp_path / "space.yaml"
    path.write_text("lr: {uniform: [0.2, 0.1]}\n")
    result = cli("tune", "--search-space", path, "--num-trials", "2")
    assert result.exit_code == 2 and "needs low < high" in result.stderr
    assert not (emoai_home / "mlflow.db").exists()  # no MLflow run, no Ray


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--search", "grid"), "unknown search 'grid'"),
        (("--scheduler", "pbt"), "unknown scheduler 'pbt'"),
        (("--num-trials", "0"), "--num-trials and --max-concurrent must be at least 1"),
    ],
)
def test_bad_tune_options(cli, args, message, emoai_home):
    result = cli("tune", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert not (emoai_home / "mlflow.db").exists()


def test_unknown_metric_is_refused_before_anything_starts(cli, gen_data, emoai_home):
    from emoai_core.tuning.options import check_metric

    check_metric("val_f1_joy", "max", ["joy"])
    result = cli("tune", "--data", gen_data, "--metric", "val_macro_f2")
    assert result.exit_code == 2 and "does not report a metric named 'val_macro_f2'" in result.stderr
    assert "val_macro_f1" in result.stderr
    mode = cli("tune", "--data", gen_data, "--mode", "biggest")
    assert mode.exit_code == 2 and "unknown mode 'biggest'" in mode.stderr


def test_the_example_file_is_the_default_space():
    example = Path(__file__).resolve().parents[3] / "examples" / "search_space.yaml"
    assert load_space(example).describe() == load_space(None).describe()


def test_trial_table_shows_short_numbers_that_fit_a_terminal():
    from rich.console import Console

    from emoai_cli.tune import _param, _table
    from emoai_core.tuning.options import TrialRow

    assert _param("0.0001440524838692736") == "0.000144"
    assert _param("64") == "64" and _param("0.0") == "0" and _param("random") == "random"
    params = {"lr": "3.1622e-05", "warmup_ratio": "0.0243", "weight_decay": "0.0058", "batch_size": "64"}
    row = TrialRow(
        "4b353db7347d4f20", "flawless-owl-234", "KILLED", {**params, "dropout": "0.14"}, 1, 0.0944, 0.0944
    )
    console = Console(width=80, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(_table([row], "val_macro_f1", best_id="4b353db7347d4f20"))
    text = console.export_text()
    assert "3.16e-05" in text and "0.0058" in text and "STOPPED" in text and "4b353db7 *" in text
    assert "…" not in text and "macro_f1" in text and "0.0944" in text  # nothing cut at 80 columns


def test_a_trial_stopped_before_logging_its_epoch_gets_it_from_its_checkpoint(emoai_home):
    """ASHA stopped the trial right after its epoch-1 report reached Tune, before the trial logged it."""
    import json

    from emoai_core.base.settings import paths, ray_run_name
    from emoai_core.tracking.store import client as tracking_client
    from emoai_core.tracking.store import ensure_experiment
    from emoai_core.tuning.trials import finish_trials

    client = tracking_client()
    experiment = ensure_experiment(client, "emoai")
    parent = client.create_run(experiment).info.run_id
    trial = client.create_run(experiment, tags={"mlflow.parentRunId": parent}).info.run_id
    folder = paths().ray_storage / ray_run_name(trial)
    folder.mkdir(parents=True)
    metrics = {"epoch": 1, "val_loss": 0.5, "val_macro_f1": 0.75}
    snapshot = {
        "checkpoint_results": [{"metrics": metrics}],
        "latest_checkpoint_result": {"metrics": metrics},
    }
    (folder / "checkpoint_manager_snapshot.json").write_text(json.dumps(snapshot))

    finish_trials(client, parent, "KILLED")

    run = client.get_run(trial)
    assert run.info.status == "KILLED" and run.data.tags["emoai.stopped_early"] == "true"
    assert [(m.step, m.value) for m in client.get_metric_history(trial, "val_macro_f1")] == [(1, 0.75)]
