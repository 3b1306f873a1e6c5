"""Training through a shared storage and a tracking server (slow): checkpoints, resume and the model
travel through the storage (a file:// folder here, S3 in test_remote_simulation), runs through `mlflow server`."""

from __future__ import annotations

import json

import pytest

from emoai_core.storage import files
from emoai_core.storage.location import parse

pytestmark = pytest.mark.slow


@pytest.fixture(params=["file"])
def shared(request, tmp_path, monkeypatch):
    """A storage and a real MLflow server storing its artifacts there; yields (storage URI, tracking URI)."""
    from servers import mlflow_server

    uri, env = f"file://{tmp_path}/shared", {}
    if request.param == "s3":
        uri = request.getfixturevalue("s3_storage")
        env = {"MLFLOW_S3_ENDPOINT_URL": parse(uri).endpoint}
    with mlflow_server(tmp_path / "tracking", parse(uri).uri_of("mlflow"), env) as url:
        monkeypatch.setenv("EMOAI_STORAGE", uri)
        monkeypatch.setenv("EMOAI_TRACKING_URI", url)
        yield uri, url


def test_checkpoints_resume_and_model_live_on_the_storage(cli, ray_session, gen_data, tiny_model_dir, shared, tmp_path, monkeypatch):
    from emoai_core.base.settings import ray_run_name
    from emoai_core.training.config import build_config
    from emoai_core.training.protocol import FaultPlan
    from emoai_core.training.run import RunOptions, train

    uri, url = shared
    storage = parse(uri)
    cfg = build_config({}, {"data": gen_data, "model": str(tiny_model_dir), "epochs": 2, "batch_size": 16,
                            "max_length": 32, "num_workers": 1})
    fault = FaultPlan(epoch=2, marker=str(tmp_path / "failed-once"))
    result = train(cfg, RunOptions(fault=fault))
    ray_dir = f"ray/{ray_run_name(result.run_id)}"
    assert files.exists(storage, f"{ray_dir}/checkpoint_manager_snapshot.json")
    assert result.checkpoint and result.checkpoint.startswith(storage.path("ray"))
    from emoai_core.training.checkpoints import checkpointed_metrics, last_checkpoint_epoch

    assert last_checkpoint_epoch(result.run_id) == 2  # what --resume and backfill read, from the storage
    assert [int(m["epoch"]) for m in checkpointed_metrics(result.run_id)] == [2]  # num_to_keep=1
    from mlflow import MlflowClient

    run = MlflowClient(url).get_run(result.run_id)
    assert "epoch 1: " in run.data.tags["emoai.restored_from"] and storage.path("ray") in run.data.tags["emoai.restored_from"]
    assert files.list_names(storage, "mlflow", recursive=True), "the model's artifacts are on the storage"

    # another laptop, same tracking server and storage: show, promote, predict
    monkeypatch.setenv("EMOAI_HOME", str(tmp_path / "other-laptop"))
    shown = json.loads(cli("runs", "show", result.run_id, "--json").stdout)
    assert shown["checkpoints"] == f"{storage.uri}/{ray_dir}"
    promoted = cli("runs", "promote", result.run_id)
    assert promoted.exit_code == 0, promoted.stderr
    predicted = cli("predict", "i feel so happy", "--json")
    assert predicted.exit_code == 0 and json.loads(predicted.stdout)[0]["label"], predicted.stderr
    deleted = cli("runs", "delete", result.run_id, "-y")
    assert deleted.exit_code == 0, deleted.stderr
    assert not files.exists(storage, f"{ray_dir}/checkpoint_manager_snapshot.json")
