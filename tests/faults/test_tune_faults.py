"""`emoai tune` under Ctrl-C while trials run and while the best trial is registered: the study and its
trials are marked KILLED (never left RUNNING), no partial registry entry, nothing left running, and
the same command run again succeeds."""

from __future__ import annotations

import time

import pytest
from harness import emoai, record

pytestmark = pytest.mark.slow
STAGES = {
    "trials running": "emoai_core.tuning.trials:trial_rows@3",
    "registering the best trial": "emoai_core.tracking.registry:register_run_model",
}


def _tune(gen_data, tiny_model_dir, space):
    return (
        "tune",
        "--num-trials",
        "2",
        "--max-concurrent",
        "2",
        "--search-space",
        space,
        "--data",
        gen_data,
        "--model",
        str(tiny_model_dir),
        "--epochs",
        "2",
        "--batch-size",
        "16",
        "--max-length",
        "32",
    )


@pytest.mark.parametrize("stage", list(STAGES))
def test_ctrl_c_in_tune_marks_the_study_killed_and_a_rerun_succeeds(
    env, gen_data, tiny_model_dir, tmp_path, stage
):
    from emoai_core.tracking.registry import versions_by_run
    from emoai_core.tracking.store import client

    space = tmp_path / "space.yaml"
    space.write_text("lr: {loguniform: [1.0e-3, 1.0e-2]}\n")
    stopped = emoai(env, *_tune(gen_data, tiny_model_dir, space), ctrl_c_at=STAGES[stage])
    assert stopped.code == 130, stopped.stderr
    assert "marked KILLED" in stopped.stderr and "Traceback" not in stopped.stderr
    assert not stopped.left, stopped.left
    c = client()
    runs = c.search_runs([c.get_experiment_by_name("emoai").experiment_id])
    assert runs and all(r.info.status in ("KILLED", "FINISHED") for r in runs), [r.info.status for r in runs]
    assert next(r for r in runs if r.data.tags.get("emoai.kind") == "tune").info.status == "KILLED"
    study = next(r for r in runs if r.data.tags.get("emoai.kind") == "tune")
    if stage == "trials running":
        assert versions_by_run(c) == {}
    else:  # registering is held together with naming the best trial: complete, never half
        assert [len(v) for v in versions_by_run(c).values()] == [1]
        assert list(versions_by_run(c)) == [study.data.tags["emoai.best_run"]]
    started = time.monotonic()
    again = emoai(env, *_tune(gen_data, tiny_model_dir, space), "--json")
    assert again.code == 0, again.stderr
    assert again.json()["model_version"] and not again.left
    record(f"ctrl-c in tune ({stage})", survived=True, data_lost=0, recovery_s=time.monotonic() - started)
