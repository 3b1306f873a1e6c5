"""A train for a cluster on other machines is made ready (or refused) before anything is submitted."""

from __future__ import annotations

import json

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.cluster.config import ClusterEnv
from emoai_core.storage import files
from emoai_core.storage.location import parse
from emoai_core.training.remote import check_tracking, job_tracking_uri, prepare


@pytest.fixture
def isolated_cluster(emoai_home):
    """cluster.json of an isolated local cluster whose dashboard nobody answers (nothing is submitted)."""
    emoai_home.mkdir(parents=True, exist_ok=True)
    state = {
        "provider": "local",
        "isolated": True,
        "address": "127.0.0.1:1",
        "dashboard_url": "http://127.0.0.1:1",
    }
    (emoai_home / "cluster.json").write_text(json.dumps(state))
    return state


@pytest.mark.parametrize(
    "uri", ["sqlite:////home/me/.emoai/mlflow.db", "file:///tmp/mlruns", "./mlruns", "mlruns"]
)
def test_local_stores_are_refused(uri):
    with pytest.raises(UsageError) as info:
        check_tracking(uri)
    assert info.value.exit_code == 2 and "--tracking-uri" in info.value.hint


def test_a_remote_train_with_local_tracking_exits_2_before_submitting(
    cli, isolated_cluster, gen_data, tmp_path
):
    result = cli(
        "train",
        "--address",
        isolated_cluster["dashboard_url"],
        "--data",
        gen_data,
        "--storage",
        f"file://{tmp_path}/shared",
    )
    assert result.exit_code == 2, result.stderr
    assert "cannot log to sqlite:" in result.stderr and "Hint:" in result.stderr
    assert not (tmp_path / "shared").exists()  # refused before anything moved


def test_a_remote_train_needs_a_storage(cli, isolated_cluster, gen_data, monkeypatch):
    monkeypatch.setenv("EMOAI_TRACKING_URI", "http://127.0.0.1:1")
    result = cli("train", "--address", isolated_cluster["address"], "--data", gen_data)
    assert result.exit_code == 2 and "shared storage" in result.stderr, result.stderr


@pytest.mark.slow
def test_prepare_pushes_data_and_a_local_base_model(gen_data, tiny_model_dir, s3_storage, monkeypatch):
    monkeypatch.setenv("EMOAI_TRACKING_URI", "http://mlflow.example:5000")
    name = gen_data.split("@")[0]
    prepared = prepare(
        {"data": name, "model": str(tiny_model_dir), "epochs": 1}, ClusterEnv(storage=s3_storage)
    )
    assert prepared.options["data"] == gen_data  # the job is told the full version
    assert prepared.options["model"].startswith(parse(s3_storage).uri + "/base-models/")
    assert prepared.env == {"EMOAI_TRACKING_URI": "http://mlflow.example:5000", "EMOAI_STORAGE": s3_storage}
    version = gen_data.split("@")[1]
    assert files.exists(parse(s3_storage), f"data/{name}/{version}/manifest.json")


def test_the_job_logs_where_the_user_or_the_cluster_says(monkeypatch, isolated_cluster, emoai_home):
    assert (
        job_tracking_uri(ClusterEnv(tracking_uri="http://from-env-file:5000")) == "http://from-env-file:5000"
    )
    state = {
        **isolated_cluster,
        "tracking_uri": "http://127.0.0.1:5999",
        "job_tracking_uri": "http://127.0.0.1:5000",
    }
    (emoai_home / "cluster.json").write_text(json.dumps(state))
    assert job_tracking_uri(ClusterEnv()) == "http://127.0.0.1:5000"  # the head's own view of its server
    monkeypatch.setenv("EMOAI_TRACKING_URI", "http://mine:5000")
    assert job_tracking_uri(ClusterEnv(tracking_uri="http://x:1")) == "http://mine:5000"
