"""emoai_core.tracking.promote: an alias moves only after the run's local copy was written."""

from __future__ import annotations

import json

import pytest
from fixtures import LABELS

from emoai_core.base.errors import NotFoundError, UsageError
from emoai_core.base.settings import paths
from emoai_core.tracking.promote import check_alias, promote_run
from emoai_core.tracking.registry import aliases
from emoai_core.tracking.store import client as tracking_client
from emoai_core.tracking.store import ensure_experiment


@pytest.mark.parametrize("alias", ["production", "staging-2", "A_b"])
def test_good_aliases(alias):
    check_alias(alias)


@pytest.mark.parametrize("alias", ["", "v1", "V12", "2fast", "with space", "a" * 64, "-x"])
def test_bad_aliases_are_refused(alias):
    with pytest.raises(UsageError, match="invalid alias"):
        check_alias(alias)


def test_a_run_without_a_registered_model_is_not_promoted():
    c = tracking_client()
    run = c.create_run(ensure_experiment(c, "emoai"), run_name="unregistered").info
    c.set_terminated(run.run_id, status="FINISHED")

    with pytest.raises(UsageError, match="invalid alias"):
        promote_run("unregistered", "v2", c)  # checked before anything is looked up
    with pytest.raises(NotFoundError, match="has no registered model"):
        promote_run("unregistered", "production", c)

    assert aliases(c) == {}
    assert not paths().local_copy("production").exists()


@pytest.mark.slow
def test_promote_writes_the_local_copy_and_moves_the_alias(tiny_model_dir):
    from emoai_core.model.labels import LabelMap
    from emoai_core.tracking.registry import log_model

    c = tracking_client()
    run = c.create_run(ensure_experiment(c, "emoai"), run_name="trained").info
    c.log_param(run.run_id, "max_length", "48")
    version = log_model(run.run_id, tiny_model_dir, LabelMap.from_names(LABELS), {}, max_length=48)
    c.set_terminated(run.run_id, status="FINISHED")

    result = promote_run("trained", "staging", c)

    local = paths().local_copy("staging")
    assert (result.run_id, result.version, result.alias, result.local_copy) == (
        run.run_id,
        version,
        "staging",
        local,
    )
    assert {str(v) for v in aliases(c).values()} == {version} and list(aliases(c)) == ["staging"]
    meta = json.loads((local / "meta.json").read_text())
    assert (meta["run_id"], meta["version"], meta["alias"], meta["max_length"]) == (
        run.run_id,
        version,
        "staging",
        48,
    )
    assert json.loads((local / "labels.json").read_text())["labels"] == LABELS
    assert (local / "model.onnx").is_file() and (local / "tokenizer.json").is_file()
