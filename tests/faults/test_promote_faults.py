"""`emoai runs promote` under Ctrl-C at each stage: the previous alias and local copy stay, a rerun works."""

from __future__ import annotations

import json
import time

import pytest
from harness import emoai, record

pytestmark = pytest.mark.slow

# before the alias moves nothing may change; a Ctrl-C while it moves waits for the local copy to move too
STAGES = {
    "exporting to ONNX": ("emoai_core.model.export:_write_onnx_bundle", "first"),
    "moving the alias": ("emoai_core.tracking.registry:set_alias", "second"),
}


@pytest.fixture
def two_runs(tiny_model_dir):
    from fixtures import LABELS

    from emoai_core.model.labels import LabelMap
    from emoai_core.tracking.registry import log_model
    from emoai_core.tracking.store import client, ensure_experiment

    c = client()
    ids = []
    for name in ("first", "second"):
        run = c.create_run(ensure_experiment(c, "emoai"), run_name=name).info
        log_model(run.run_id, tiny_model_dir, LabelMap.from_names(LABELS), {}, max_length=32)
        c.set_terminated(run.run_id, status="FINISHED")
        ids.append(run.run_id)
    return ids


def _state(emoai_home):
    from emoai_core.tracking.registry import aliases, versions_by_run
    from emoai_core.tracking.store import client

    c = client()
    models = emoai_home / "models"
    meta = models / "production" / "meta.json"
    return {
        "aliases": aliases(c),
        "versions": sorted(v.version for vs in versions_by_run(c).values() for v in vs),
        "copy": json.loads(meta.read_text())["run_id"] if meta.exists() else None,
        "folders": sorted(p.name for p in models.iterdir()) if models.exists() else [],
    }


@pytest.mark.parametrize("stage", list(STAGES))
def test_ctrl_c_at_each_stage_of_promote_changes_nothing(env, emoai_home, two_runs, stage):
    first, second = two_runs
    assert emoai(env, "runs", "promote", first).code == 0
    before = _state(emoai_home)
    assert before["copy"] == first and before["folders"] == ["production"]

    where, promoted = STAGES[stage]
    stopped = emoai(env, "runs", "promote", second, ctrl_c_at=where)
    assert stopped.code == 130, stopped.stderr
    assert "Error: interrupted" in stopped.stderr and "Traceback" not in stopped.stderr
    now = _state(emoai_home)
    if promoted == "first":
        assert now == before  # same alias, same local copy, no staging folder left
    else:  # alias and copy moved together: both name the second run's version
        assert (
            now["aliases"] == {"production": 2} and now["copy"] == second and now["folders"] == ["production"]
        )
    started = time.monotonic()
    again = emoai(env, "runs", "promote", second, "--json")
    assert again.code == 0, again.stderr
    after = _state(emoai_home)
    assert after["copy"] == second and after["folders"] == ["production"] and not stopped.left
    record(
        f"ctrl-c during promote ({stage})", survived=True, data_lost=0, recovery_s=time.monotonic() - started
    )
