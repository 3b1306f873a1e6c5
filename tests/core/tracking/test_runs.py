"""`emoai runs` on a real MLflow sqlite store with hand-made runs (no training needed)."""

from __future__ import annotations

import json

import pytest

from emoai_core.base.errors import NotFoundError, UsageError


@pytest.fixture
def store(emoai_home):
    """Three finished runs and one failed run in the local store."""
    from emoai_core.tracking.store import client, ensure_experiment

    c = client()
    exp = ensure_experiment(c, "emoai")
    runs = {}
    for name, acc, f1, status in [
        ("alpha", 0.90, 0.85, "FINISHED"),
        ("beta", 0.93, 0.88, "FINISHED"),
        ("gamma", 0.91, 0.90, "FINISHED"),
        ("delta", 0.5, 0.4, "FAILED"),
    ]:
        run = c.create_run(
            exp,
            run_name=name,
            tags={"emoai.kind": "train", "emoai.data": "gen@abc", "emoai.total_epochs": "2"},
        )
        rid = run.info.run_id
        c.log_param(rid, "lr", "0.001" if name != "beta" else "0.002")
        c.log_param(rid, "epochs", "2")
        for epoch, scale in ((1, 0.9), (2, 1.0)):
            c.log_metric(rid, "val_accuracy", acc * scale, step=epoch)
            c.log_metric(rid, "val_macro_f1", f1 * scale, step=epoch)
            c.log_metric(rid, "epoch", epoch, step=epoch)
        c.log_metric(rid, "best_val_accuracy", acc, step=2)
        c.log_metric(rid, "best_val_macro_f1", f1, step=2)
        c.set_terminated(rid, status=status)
        runs[name] = rid
    return runs


def test_list_json_shows_runs_newest_first(cli, store):
    result = cli("runs", "list", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == ["delta", "gamma", "beta", "alpha"]
    beta = rows[2]
    assert beta["best_val_accuracy"] == pytest.approx(0.93)
    assert beta["data"] == "gen@abc" and beta["epoch"] == 2 and beta["epochs"] == 2


def test_list_filters_by_status(cli, store):
    rows = json.loads(cli("runs", "list", "--json", "--status", "failed").stdout)
    assert [r["name"] for r in rows] == ["delta"]
    bad = cli("runs", "list", "--status", "sleepy")
    assert bad.exit_code == 2 and "unknown status" in bad.stderr


def test_list_table_renders(cli, store):
    result = cli("runs", "list")
    assert result.exit_code == 0
    assert "gamma" in result.stdout and "FINISHED" in result.stdout


def test_empty_store_says_how_to_start(cli):
    result = cli("runs", "list")
    assert result.exit_code == 0
    assert "No runs yet" in result.stderr and "emoai train" in result.stderr


def test_resolve_by_name_prefix_and_id(store):
    from emoai_core.tracking.runs import resolve_run

    rid = store["beta"]
    assert resolve_run("beta").info.run_id == rid
    assert resolve_run(rid).info.run_id == rid
    assert resolve_run(rid[:10]).info.run_id == rid


def test_unknown_run_lists_close_matches(cli, store):
    result = cli("runs", "show", "gama")
    assert result.exit_code == 2
    assert "no run matches 'gama'" in result.stderr
    assert "gamma" in result.stderr


def test_ambiguous_name_and_empty_reference(store):
    from emoai_core.tracking.runs import resolve_run
    from emoai_core.tracking.store import client

    c = client()
    c.create_run(c.get_experiment_by_name("emoai").experiment_id, run_name="beta")
    with pytest.raises(UsageError, match="run reference 'beta' is ambiguous"):
        resolve_run("beta")
    with pytest.raises(UsageError, match="empty run reference"):
        resolve_run("  ")


def test_unknown_alias_says_how_to_promote(store):
    from emoai_core.tracking.runs import resolve_run

    with pytest.raises(NotFoundError) as info:
        resolve_run("@production")
    assert "emoai runs promote" in info.value.hint


def test_show_json_has_history(cli, store):
    result = cli("runs", "show", "gamma", "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["name"] == "gamma"
    assert info["history"]["val_macro_f1"] == [[1, pytest.approx(0.81)], [2, pytest.approx(0.90)]]
    assert info["params"]["lr"] == "0.001"


def test_best_picks_highest_finished(cli, store):
    result = cli("runs", "best", "--json")
    assert json.loads(result.stdout)["name"] == "gamma"
    result = cli("runs", "best", "--metric", "best_val_accuracy", "--json")
    assert json.loads(result.stdout)["name"] == "beta"
    result = cli("runs", "best", "--metric", "nope")
    assert result.exit_code == 2 and "no finished run has the metric 'nope'" in result.stderr


def test_compare_highlights_differences(cli, store):
    result = cli("runs", "compare", "alpha", "beta", "--json")
    data = json.loads(result.stdout)
    assert "lr" in data["different"] and "epochs" not in data["different"]
    assert data["params"]["lr"] == ["0.001", "0.002"]
    table = cli("runs", "compare", "alpha", "beta")
    assert table.exit_code == 0 and "lr" in table.stdout
    assert cli("runs", "compare", "alpha").exit_code == 2


def test_promote_without_model_explains(cli, store):
    result = cli("runs", "promote", "alpha")
    assert result.exit_code == 2
    assert "has no registered model" in result.stderr


def test_delete_needs_yes_without_terminal(cli, store):
    result = cli("runs", "delete", "alpha")
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert cli("runs", "delete", "alpha", "-y").exit_code == 0
    names = [r["name"] for r in json.loads(cli("runs", "list", "--json").stdout)]
    assert "alpha" not in names


def test_stop_refuses_finished_run(cli, store):
    result = cli("runs", "stop", "beta")
    assert result.exit_code == 2 and "not running" in result.stderr


def test_the_tracking_client_does_not_leak_its_uri_into_the_environment(emoai_home, monkeypatch):
    """Ray processes started later inherit the environment: a leaked URI points them at this store."""
    import os

    from emoai_core.tracking.store import client

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    client()
    assert "MLFLOW_TRACKING_URI" not in os.environ
