"""A cluster of machines that share nothing with the laptop but network endpoints (slow, run by CI).

The "laptop" is this test's EMOAI_HOME; the cluster is `emoai cluster up` with isolated nodes
(each its own HOME and EMOAI_HOME: emoai_core.cluster.isolation), storage is moto_server's S3 API
on 127.0.0.1, and tracking is the real `mlflow server` that `cluster up` starts on the head. The
laptop pulls data, trains on two of three worker nodes (spread), sees the run while it trains,
loses a worker's node after the first checkpoint, and the run finishes in the same MLflow run from
that checkpoint, read back from S3; then the laptop promotes the model and predicts with it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]
EPOCHS = 3


def _emoai(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "emoai_cli.main", *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO
    )


def _wait(what: str, check, timeout: float, every: float = 1.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def _train_workers(dashboard: str) -> list:
    from ray.util.state import list_actors

    return list_actors(
        address=dashboard, filters=[("class_name", "=", "RayTrainWorker"), ("state", "=", "ALIVE")], timeout=20
    )


def _raylet_of(pid: int) -> int:
    """The raylet that forked a Ray worker process (its parent)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _runs(env: dict[str, str]) -> list[dict]:
    listed = _emoai(env, "runs", "list", "--json", timeout=120)
    return json.loads(listed.stdout) if listed.returncode == 0 else []


@pytest.fixture
def laptop(tmp_path, emoai_home, s3_storage, monkeypatch):
    """The laptop's environment: its own EMOAI_HOME, the S3 storage (moto), no tracking server of its own."""
    env = {**os.environ, "EMOAI_HOME": str(emoai_home), "EMOAI_STORAGE": s3_storage, "PYTHONPATH": str(REPO)}
    return env


def test_a_cluster_of_other_machines_trains_survives_a_lost_node_and_hands_back_the_model(laptop, tmp_path, tiny_model_dir):
    from fixtures import write_split_folder

    started = time.time()
    folder = write_split_folder(tmp_path / "gen", sizes=(4000, 80, 80))
    pulled = _emoai(laptop, "data", "pull", str(folder), "--name", "gen", "--json")
    assert pulled.returncode == 0, pulled.stderr
    ref = json.loads(pulled.stdout)["ref"]

    up = _emoai(laptop, "cluster", "up", "--config", str(REPO / "cluster/examples/local-isolated.yaml"), "--json")
    state = json.loads(up.stdout) if up.returncode == 0 else {}
    train = None
    try:
        assert up.returncode == 0, up.stderr
        assert state["isolated"] and state["tracking_uri"].startswith("http://127.0.0.1:")
        assert len(state["nodes"]) == 4
        nodes = Path(state["tracking_server"]["folder"]).parents[1]
        assert sorted(p.name for p in nodes.iterdir()) == ["head", "small-1", "small-2", "small-3"]

        log = (tmp_path / "train.log").open("w+")
        train = subprocess.Popen(
            [sys.executable, "-m", "emoai_cli.main", "train", "--address", state["dashboard_url"],
             "--data", ref, "--model", str(tiny_model_dir), "--num-workers", "2", "--cpu-per-worker", "1",
             "--placement", "spread", "--epochs", str(EPOCHS), "--batch-size", "4", "--max-length", "32"],
            env=laptop, stdout=log, stderr=subprocess.STDOUT, text=True, cwd=REPO,
        )  # fmt: skip

        # the run shows on the laptop while it trains (the head's tracking server, found through cluster.json)
        run = _wait("the run in the laptop's 'runs list'", lambda: next(
            (r for r in _runs(laptop) if r["status"] == "RUNNING"), None), timeout=420, every=2)
        run_id = run["run_id"]
        workers = _wait("two training workers", lambda: (w := _train_workers(state["dashboard_url"])) and len(w) == 2 and w, 120)
        assert len({w.node_id for w in workers}) == 2, "--placement spread puts the two workers on two nodes"

        # after the first checkpoint (epoch 1 is logged once it is persisted), lose a worker's node
        from mlflow import MlflowClient

        client = MlflowClient(state["tracking_uri"])
        _wait("epoch 1", lambda: client.get_metric_history(run_id, "val_loss"), timeout=300, every=0.5)
        victim = _raylet_of(workers[0].pid)
        os.kill(victim, signal.SIGKILL)

        assert train.wait(timeout=900) == 0, (tmp_path / "train.log").read_text()[-4000:]
        output = (tmp_path / "train.log").read_text()
        assert "workers started from the checkpoint of epoch" in output, output[-3000:]

        finished = client.get_run(run_id)  # the same MLflow run, finished
        assert finished.info.status == "FINISHED"
        tags = finished.data.tags
        assert int(tags["emoai.restarts"]) >= 1 and "s3://" in tags["emoai.restored_from"], tags
        epochs = sorted(int(m.step) for m in client.get_metric_history(run_id, "val_loss"))
        assert epochs == list(range(1, EPOCHS + 1)), epochs
        survivors = {w.node_id for w in _train_workers(state["dashboard_url"])}
        assert workers[0].node_id not in survivors

        # the model comes back to the laptop through MLflow (artifacts on S3)
        promoted = _emoai(laptop, "runs", "promote", run_id, "--json")
        assert promoted.returncode == 0, promoted.stderr
        predicted = _emoai(laptop, "predict", "i feel so happy and glad today", "--json")
        assert predicted.returncode == 0, predicted.stderr
        assert json.loads(predicted.stdout)[0]["label"]
    finally:
        if train is not None and train.poll() is None:
            train.kill()
            train.wait()
        down = _emoai(laptop, "cluster", "down", "-y")
        assert down.returncode == 0, down.stderr
        if state:
            from emoai_core.cluster.local_ray import pids

            assert pids(state["temp_dir"]) == []
            assert not Path(f"/proc/{state['tracking_server']['pid']}").exists()
    print(f"simulation took {time.time() - started:.0f}s")
