"""emoai_core.training.plan: a run starts only from data that passed validation and a base model that loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import LABELS

from emoai_core.base.errors import NotFoundError, UsageError
from emoai_core.data.versions import store
from emoai_core.training.config import TrainConfig
from emoai_core.training.events import Phase
from emoai_core.training.plan import plan_run


def test_a_plan_resolves_the_data_the_labels_and_the_base_model(gen_data):
    events: list[object] = []

    plan = plan_run(TrainConfig(data=gen_data.split("@")[0]), events.append)

    assert plan.config.data == gen_data == plan.data.ref  # NAME resolved to NAME@VERSION
    assert sorted(plan.labels.names) == sorted(LABELS)
    assert plan.train_counts == (100,) * 6  # the generated 600 training rows cycle through the labels
    assert (Path(plan.model_source) / "config.json").is_file()  # the packaged MiniLM
    assert events[0] == Phase("validating data")


def test_limit_counts_only_the_first_rows(gen_data):
    plan = plan_run(TrainConfig(data=gen_data, limit=50))
    assert sum(plan.train_counts) == 50


def test_a_version_failing_validation_is_refused_naming_the_checks():
    texts = [f"text {i}" for i in range(30)] + ["  ", "lonely"]
    labels = ["joy"] * 31 + ["sadness"]
    validation = (["v joy", "v sad"], ["joy", "sadness"])
    splits = {"train": (texts, labels), "validation": validation}
    dv = store("broken", "v1", splits, ["joy", "sadness"], {"source": "test"}, None)

    with pytest.raises(UsageError) as info:
        plan_run(TrainConfig(data="broken"))

    assert (
        info.value.message
        == f"data version {dv.ref} fails validation (empty_text, class_sizes); refusing to train on it"
    )
    assert info.value.hint == f"see 'emoai data validate {dv.ref}'"


def test_unknown_data_and_a_missing_model_folder_fail_before_ray(gen_data):
    with pytest.raises(NotFoundError, match="no data version named 'nope'"):
        plan_run(TrainConfig(data="nope"))
    with pytest.raises(UsageError, match="model directory not found"):
        plan_run(TrainConfig(data=gen_data, model="./no/such/model"))
