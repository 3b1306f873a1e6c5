"""emoai_core.inference.select: which model a command means (--model-dir, --run, --alias / @production)."""

from __future__ import annotations

import json

import pytest

from emoai_core.base.errors import NotFoundError, UsageError
from emoai_core.base.settings import paths
from emoai_core.inference.select import ModelChoice, choose


def _local_copy(alias: str, meta: dict) -> None:
    folder = paths().local_copy(alias)
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(json.dumps(meta))


def test_only_one_way_of_naming_a_model(tmp_path):
    with pytest.raises(UsageError, match="pass only one of --model-dir, --run and --alias"):
        choose(model_dir=tmp_path, alias="production")


def test_a_model_dir_must_be_a_folder(tmp_path):
    assert choose(model_dir=tmp_path) == ModelChoice(tmp_path, str(tmp_path))
    with pytest.raises(UsageError, match="model folder not found"):
        choose(model_dir=tmp_path / "missing")


def test_an_alias_is_answered_from_its_local_copy():
    _local_copy("staging", {"run_id": "0123456789abcdef", "version": "3", "alias": "staging"})

    by_alias = choose(alias="staging")
    by_run_ref = choose(run="@staging")

    assert by_alias == by_run_ref
    assert by_alias.path == paths().local_copy("staging")
    assert by_alias.description == "@staging v3 (run 01234567)"
    assert by_alias.run_id == "0123456789abcdef"


def test_the_default_alias_is_production():
    _local_copy("production", {"run_id": "feedfacecafebeef"})

    choice = choose()

    assert choice.path == paths().local_copy("production")
    assert choice.description == "@production (run feedface)"


def test_no_promoted_model_says_how_to_make_one():
    with pytest.raises(NotFoundError, match="no promoted model yet") as info:
        choose()
    assert "emoai runs promote" in info.value.hint
