"""emoai_core.tracking.listing: runs as rows joining the run, its emoai tags and the registry."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.base.settings import REGISTERED_MODEL, paths
from emoai_core.tracking.listing import list_runs, metric_history, show_run
from emoai_core.tracking.store import client as tracking_client
from emoai_core.tracking.store import ensure_experiment


@pytest.fixture
def store():
    """A finished train run (registered, @production) with history, and a failed tune trial without metrics."""
    c = tracking_client()
    experiment = ensure_experiment(c, "emoai")
    tags = {
        "emoai.kind": "train",
        "emoai.data": "gen@abc",
        "emoai.base_model": "minilm",
        "emoai.total_epochs": "3",
    }
    done = c.create_run(experiment, run_name="done", tags=tags).info
    c.log_param(done.run_id, "lr", "0.001")
    for epoch, acc in ((1, 0.5), (2, 0.7)):
        c.log_metric(done.run_id, "val_accuracy", acc, step=epoch)
        c.log_metric(done.run_id, "epoch", epoch, step=epoch)
    c.log_metric(done.run_id, "val_accuracy", 0.75, step=2)  # logged again for epoch 2: the last one counts
    c.log_metric(done.run_id, "best_val_macro_f1", 0.6, step=2)
    c.set_terminated(done.run_id, status="FINISHED")
    c.create_registered_model(REGISTERED_MODEL)
    version = c.create_model_version(
        REGISTERED_MODEL, source=done.artifact_uri + "/model", run_id=done.run_id
    )
    c.set_registered_model_alias(REGISTERED_MODEL, "production", version.version)
    trial = c.create_run(
        experiment, run_name="trial", tags={"emoai.kind": "trial", "mlflow.parentRunId": "p1"}
    ).info
    c.set_terminated(trial.run_id, status="FAILED")
    return c, done, trial


def test_rows_join_run_tags_metrics_and_registry(store):
    _, done, trial = store

    rows = {row.name: row for row in list_runs()}

    row = rows["done"]
    assert (row.status, row.kind, row.data, row.base_model) == ("FINISHED", "train", "gen@abc", "minilm")
    assert (row.epoch, row.epochs) == (2, 3)
    assert row.best_val_accuracy == 0.75  # no best_ metric: the latest val_accuracy
    assert row.best_val_macro_f1 == 0.6
    assert (row.version, row.aliases) == ("1", ["production"])
    assert row.duration is not None and row.duration >= 0
    failed = rows["trial"]
    assert (failed.kind, failed.parent, failed.epoch, failed.version, failed.aliases) == (
        "trial",
        "p1",
        None,
        None,
        [],
    )


def test_status_filter_and_unknown_status(store):
    assert [r.name for r in list_runs(status="failed")] == ["trial"]
    with pytest.raises(UsageError, match="unknown status 'DONE'"):
        list_runs(status="done")


def test_history_keeps_the_last_value_of_each_epoch(store):
    c, done, _ = store
    assert metric_history(c, done.run_id)["val_accuracy"] == [(1, 0.5), (2, 0.75)]
    assert "train_loss" not in metric_history(c, done.run_id)


def test_show_run_has_params_history_and_where_its_checkpoints_are(store):
    _, done, _ = store

    shown = show_run("done")

    assert shown["run_id"] == done.run_id
    assert shown["params"] == {"lr": "0.001"}
    assert shown["history"]["val_accuracy"] == [(1, 0.5), (2, 0.75)]
    assert shown["checkpoints"] == str(paths().ray_run(done.run_id))
    assert shown["tags"]["emoai.data"] == "gen@abc"
