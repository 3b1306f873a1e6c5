"""emoai_core.tracking.admin: delete a run with everything made from it, stop one, open the MLflow UI."""

from __future__ import annotations

import json
import sys

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.base.settings import REGISTERED_MODEL, paths
from emoai_core.tracking.admin import delete_run, mlflow_ui_command, stop_run
from emoai_core.tracking.store import client as tracking_client
from emoai_core.tracking.store import ensure_experiment


def test_mlflow_ui_command_uses_the_configured_store(monkeypatch, emoai_home):
    default = mlflow_ui_command()
    assert default[:4] == [sys.executable, "-m", "mlflow", "ui"]
    assert (
        default[default.index("--backend-store-uri") + 1] == f"sqlite:///{emoai_home.resolve() / 'mlflow.db'}"
    )
    assert default[-4:] == ["--host", "127.0.0.1", "--port", "5000"]

    monkeypatch.setenv("EMOAI_TRACKING_URI", "http://mlflow.internal:5000")
    command = mlflow_ui_command(host="0.0.0.0", port=5055)
    assert command[command.index("--backend-store-uri") + 1] == "http://mlflow.internal:5000"
    assert command[-4:] == ["--host", "0.0.0.0", "--port", "5055"]


@pytest.fixture
def store():
    c = tracking_client()
    experiment = ensure_experiment(c, "emoai")
    return c, experiment


def test_delete_run_removes_versions_checkpoints_cache_and_local_copies(store):
    c, experiment = store
    run = c.create_run(experiment, run_name="old").info
    other = c.create_run(experiment, run_name="keep").info
    c.set_terminated(run.run_id, status="FINISHED")
    c.create_registered_model(REGISTERED_MODEL)
    c.create_model_version(REGISTERED_MODEL, source=run.artifact_uri + "/model", run_id=run.run_id)
    for folder in (paths().ray_run(run.run_id), paths().model_cache(run.run_id)):
        folder.mkdir(parents=True)
    for alias, owner in (("production", run.run_id), ("staging", other.run_id)):
        paths().local_copy(alias).mkdir(parents=True)
        (paths().local_copy(alias) / "meta.json").write_text(json.dumps({"run_id": owner}))

    result = delete_run("old", c)

    assert result == {"run_id": run.run_id, "versions": ["1"], "local_copies": ["production"]}
    assert c.get_run(run.run_id).info.lifecycle_stage == "deleted"
    assert c.search_model_versions(f"name='{REGISTERED_MODEL}'") == []
    assert not paths().ray_run(run.run_id).exists() and not paths().model_cache(run.run_id).exists()
    assert not paths().local_copy("production").exists() and paths().local_copy("staging").exists()


def test_a_running_run_is_neither_deleted_nor_stopped_from_elsewhere(store):
    c, experiment = store
    running = c.create_run(
        experiment, run_name="busy", tags={"emoai.pid": "1", "emoai.host": "another-host"}
    ).info
    finished = c.create_run(experiment, run_name="done").info
    c.set_terminated(finished.run_id, status="FINISHED")

    with pytest.raises(UsageError, match="is still running") as info:
        delete_run("busy", c)
    assert f"emoai runs stop {running.run_id}" in info.value.hint
    with pytest.raises(UsageError, match=r"runs elsewhere \(another-host\)"):
        stop_run("busy", c)
    with pytest.raises(UsageError, match=r"is not running \(status FINISHED\)"):
        stop_run("done", c)
    assert c.get_run(running.run_id).info.status == "RUNNING"
