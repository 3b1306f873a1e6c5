"""`emoai train` under faults: Ctrl-C at each stage, the worker or the driver SIGKILLed, the disk full at a
checkpoint. The promises: exit 130 with an honest message, no run left RUNNING, no epoch lost beyond the
last checkpoint, the hinted command works, and nothing of the command outlives it."""

from __future__ import annotations

import os
import shlex
import signal
import time

import pytest
from harness import Emoai, emoai, kill_session, leftovers, record, session_pids

pytestmark = pytest.mark.slow
TINY = [
    "--lr",
    "0.005",
    "--batch-size",
    "16",
    "--max-length",
    "32",
    "--num-workers",
    "1",
    "--cpu-per-worker",
    "1",
]


def _train(gen_data, tiny_model_dir, epochs=2):
    return ("train", "--data", gen_data, "--model", str(tiny_model_dir), "--epochs", str(epochs), *TINY)


def _client():
    from emoai_core.tracking.store import client

    return client()


def _runs():
    c = _client()
    exp = c.get_experiment_by_name("emoai")
    return c.search_runs([exp.experiment_id]) if exp else []


def _epochs(run_id):
    return sorted(int(m.step) for m in _client().get_metric_history(run_id, "val_loss"))


def _hint_command(stderr: str) -> list[str]:
    line = next(line for line in stderr.splitlines() if line.startswith("Hint:"))
    command = line.split(": ", 2)[-1]
    assert command.startswith("emoai "), line
    return shlex.split(command)[1:]


def _versions():
    from emoai_core.tracking.registry import versions_by_run

    return versions_by_run(_client())


def test_ctrl_c_before_the_first_checkpoint_says_nothing_was_saved(env, gen_data, tiny_model_dir):
    stopped = emoai(
        env, *_train(gen_data, tiny_model_dir), ctrl_c_at="emoai_core.tracking.tracker:Tracker.log_step"
    )
    assert stopped.code == 130, stopped.stderr
    assert "nothing was saved" in stopped.stderr and "--resume" not in stopped.stderr
    assert not stopped.left, stopped.left
    (run,) = _runs()
    assert run.info.status == "KILLED"
    refused = emoai(env, "train", "--resume", run.info.run_id)  # what the message did not offer, indeed
    assert refused.code == 2 and "no checkpoint" in refused.stderr
    started = time.monotonic()
    again = emoai(env, *_hint_command(stopped.stderr), "--json")  # the hint, run as printed
    assert again.code == 0, again.stderr
    assert _epochs(again.json()["run_id"]) == [1, 2] and not again.left
    record(
        "ctrl-c in train before a checkpoint",
        survived=True,
        data_lost=0,
        recovery_s=time.monotonic() - started,
    )


def test_ctrl_c_after_a_checkpoint_offers_resume_and_resume_finishes(env, gen_data, tiny_model_dir):
    stopped = emoai(
        env, *_train(gen_data, tiny_model_dir, 3), ctrl_c_at="emoai_core.tracking.tracker:Tracker.log_epoch"
    )
    assert stopped.code == 130, stopped.stderr
    assert "checkpoint of epoch 1 is kept" in stopped.stderr and not stopped.left, stopped.left
    (run,) = _runs()
    assert run.info.status == "KILLED"
    hinted = _hint_command(stopped.stderr)
    assert hinted == ["train", "--resume", run.info.run_id]
    started = time.monotonic()
    resumed = emoai(env, *hinted)
    assert resumed.code == 0, resumed.stderr
    assert _client().get_run(run.info.run_id).info.status == "FINISHED"
    assert _epochs(run.info.run_id) == [1, 2, 3] and not resumed.left
    record(
        "ctrl-c in train after a checkpoint",
        survived=True,
        data_lost=0,
        recovery_s=time.monotonic() - started,
    )


@pytest.mark.parametrize(
    ("stage", "where"),
    [
        ("tokenizing", "emoai_core.training.datasets:tokenized"),
        ("registering", "emoai_core.tracking.registry:log_model"),
    ],
)
def test_ctrl_c_while_tokenizing_or_registering_leaves_nothing_partial(
    env, gen_data, tiny_model_dir, stage, where
):
    stopped = emoai(env, *_train(gen_data, tiny_model_dir, 1), ctrl_c_at=where)
    assert stopped.code == 130, stopped.stderr
    assert "Traceback" not in stopped.stderr and not stopped.left, stopped.left
    assert _versions() == {}  # no registry entry
    runs = _runs()
    assert all(r.info.status == "KILLED" for r in runs) and len(runs) == (0 if stage == "tokenizing" else 1)
    started = time.monotonic()
    again = emoai(env, *(_hint_command(stopped.stderr) if runs else _train(gen_data, tiny_model_dir, 1)))
    assert again.code == 0, again.stderr
    assert [len(v) for v in _versions().values()] == [1] and not again.left
    record(
        f"ctrl-c in train while {stage}", survived=True, data_lost=0, recovery_s=time.monotonic() - started
    )


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _epoch_logged(at_least):
    runs = _runs()
    return runs and runs[0].data.metrics.get("epoch", 0) >= at_least and runs[0]


def _train_worker(sid):
    for pid in session_pids(sid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if b"RayTrainWorker" in fh.read():
                    return pid
        except OSError:
            continue
    return None


def test_a_training_worker_sigkilled_mid_epoch_is_replaced_and_no_epoch_is_lost(
    env, gen_data, tiny_model_dir
):
    _client()  # the store exists before the command starts: two first-time MLflow migrations race
    command = Emoai(env, _train(gen_data, tiny_model_dir, 4)).start()
    try:
        run = _wait_for(lambda: _epoch_logged(1), 300, "the first epoch")
        worker = _wait_for(lambda: _train_worker(command.proc.pid), 60, "the training worker")
        time.sleep(0.5)  # into the second epoch
        os.kill(worker, signal.SIGKILL)
        killed = time.monotonic()
    except BaseException:
        kill_session(command.proc.pid)
        raise
    command.wait()
    assert command.code == 0, command.stderr
    assert "worker failed" in command.stderr and not command.left, command.left
    final = _client().get_run(run.info.run_id)
    assert final.info.status == "FINISHED" and len(_runs()) == 1  # the same MLflow run
    assert _epochs(run.info.run_id) == [1, 2, 3, 4]  # each epoch logged once: none lost, none repeated
    record(
        "training worker SIGKILLed mid-epoch",
        survived=True,
        data_lost=0,
        recovery_s=time.monotonic() - killed,
    )


def test_a_sigkilled_driver_leaves_no_run_running_and_resume_continues_it(env, gen_data, tiny_model_dir):
    _client()  # the store exists before the command starts: two first-time MLflow migrations race
    command = Emoai(env, _train(gen_data, tiny_model_dir, 3)).start()
    try:
        run = _wait_for(lambda: _epoch_logged(1), 300, "the first epoch")
        os.kill(command.proc.pid, signal.SIGKILL)  # the driver only, as the OOM killer would
        killed = time.monotonic()
    except BaseException:
        kill_session(command.proc.pid)
        raise
    command.proc.wait()
    run_id = run.info.run_id
    listed = emoai(env, "runs", "list", "--json")
    assert listed.json()[0]["status"] == "FAILED"  # not RUNNING forever
    resumed = emoai(env, "train", "--resume", run_id)
    assert resumed.code == 0, resumed.stderr
    assert _client().get_run(run_id).info.status == "FINISHED" and _epochs(run_id) == [1, 2, 3]
    # the killed driver's Ray (its agents) was swept by the next in-process Ray
    assert leftovers(command.proc.pid) == [] and not resumed.left
    kill_session(command.proc.pid)
    record("training driver SIGKILLed", survived=True, data_lost=0, recovery_s=time.monotonic() - killed)


def test_a_full_disk_at_a_checkpoint_fails_cleanly_and_keeps_the_last_one(
    ray_session, gen_data, tiny_model_dir, tmp_path
):
    from harness import tree_digest

    from emoai_core.base.errors import EmoaiError
    from emoai_core.base.settings import paths
    from emoai_core.training.config import TrainConfig
    from emoai_core.training.protocol import FaultPlan
    from emoai_core.training.run import RunOptions, resume, train

    cfg = TrainConfig(
        data=gen_data, model=str(tiny_model_dir), epochs=3, lr=0.005, batch_size=16, max_length=32
    )
    full_disk = FaultPlan(epoch=2, max_file_bytes=256 * 1024)  # the tiny model's weights are ~4 MB
    with pytest.raises(EmoaiError) as info:
        train(cfg, RunOptions(fault=full_disk))
    assert "File too large" in info.value.message and "free disk space" in info.value.hint
    (run,) = _runs()
    run_id = run.info.run_id
    assert run.info.status == "FAILED" and f"emoai train --resume {run_id}" in info.value.hint
    from emoai_core.training.checkpoints import last_checkpoint_epoch

    assert last_checkpoint_epoch(run_id) == 1 and _epochs(run_id) == [1]
    checkpoints = sorted(p for p in paths().ray_run(run_id).glob("checkpoint_*") if p.is_dir())
    kept = tree_digest(checkpoints[-1])
    assert kept and "model.safetensors" in kept
    started = time.monotonic()
    result = resume(run_id)  # space freed: the run continues from epoch 1's checkpoint
    assert result.run_id == run_id and _epochs(run_id) == [1, 2, 3]
    record("disk full at a checkpoint", survived=True, data_lost=0, recovery_s=time.monotonic() - started)
