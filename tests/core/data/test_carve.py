"""emoai_core.data.carve: a source without a validation split gets a seeded, stratified one from train,
recorded in the manifest; `data validate` fails a stored version that has none."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from fixtures import LABELS, make_rows, write_jsonl

from emoai_core.base.errors import UsageError
from emoai_core.base.events import LogEvent
from emoai_core.data import checks
from emoai_core.data.carve import HOLDOUT, carve_validation, complete, strata
from emoai_core.data.pull import pull
from emoai_core.data.versions import store


def _train_test_folder(tmp_path, train=600, test=60):
    folder = tmp_path / "imdb-like"
    write_jsonl(folder / "train.jsonl", make_rows(train, seed=0))
    write_jsonl(folder / "test.jsonl", make_rows(test, seed=1))
    return folder


def test_a_train_and_test_source_gets_a_stratified_validation_split(tmp_path):
    folder = _train_test_folder(tmp_path)

    dv = pull(str(folder), name="tt", seed=3).version

    assert dv.rows == {"train": 540, "validation": 60, "test": 60}  # test untouched, 10 % of train carved
    assert set(dv.manifest["splits"]["validation"]["label_counts"].values()) == {10}  # 10 of each label
    assert dv.manifest["split_strategy"] == "validation carved from train: 10%, stratified, seed 3"
    assert dv.manifest["carved"] == {
        "validation": {"from": "train", "share": HOLDOUT, "seed": 3, "how": "stratified"}
    }
    train_texts, _ = dv.read_split("train")
    val_texts, _ = dv.read_split("validation")
    assert sorted(train_texts + val_texts) == sorted(r["text"] for r in make_rows(600, seed=0))
    assert checks.validate(dv).ok
    assert pull(str(folder), name="tt", seed=3).version.version == dv.version  # seeded: same content
    assert pull(str(folder), name="tt", seed=4).version.version != dv.version


def test_the_cli_reports_the_carved_split_and_the_version_validates(cli, tmp_path):
    result = cli("data", "pull", _train_test_folder(tmp_path), "--name", "tt")

    assert result.exit_code == 0, result.stderr
    assert "validation 60" in result.stdout
    assert "no validation split in the source: validation carved from train: 10%" in result.stderr
    report = json.loads(cli("data", "validate", "tt", "--json").stdout)
    assert report["ok"] and {c["name"]: c["status"] for c in report["checks"]}["validation_split"] == "pass"


def test_multi_label_rows_are_stratified_on_their_label_sets():
    sets = [["joy"]] * 500 + [["joy", "love"]] * 300 + [["fear"]] * 180 + [["anger", "fear"]] * 15
    sets += [["anger"], ["love", "fear"], ["joy", "fear"], []] * 1 + [["anger", "joy", "love"]] * 1
    texts = [f"t{i}" for i in range(len(sets))]

    _, (_, val), strategy, carved = carve_validation(texts, sets, 0, "multi_label", None)

    counts = Counter(tuple(s) for s in val)
    assert len(val) == 100
    assert counts[("joy",)] == 50 and counts[("joy", "love")] == 30 and counts[("fear",)] == 18
    assert strategy == "validation carved from train: 10%, stratified on label sets, seed 0"
    assert carved["validation"]["how"] == "stratified on label sets"


def test_rare_label_sets_share_one_stratum():
    labels = [["a"]] * 50 + [["a", "b"]] * 12 + [["b", "c"]] * 4 + [["c"]] * 3 + [[]] * 2
    keys = strata(labels, "multi_label")

    assert Counter(keys) == {"a": 50, "a\x1fb": 12, "\0rare": 9}
    # a pool too small to be a stratum joins the largest one
    assert Counter(strata([["a"]] * 20 + [["z"]], "multi_label")) == {"a": 21}
    assert strata(["joy", None], "single_label") == ["joy", "\0missing"]


def test_too_few_rows_per_stratum_split_at_random_with_a_warning():
    events: list[object] = []
    labels = [["a"]] * 5 + [["b"]] * 2 + [["c"]] * 2 + [["d"]] * 2
    splits, strategy, carved = complete(
        {"train": ([f"t{i}" for i in range(11)], labels), "test": (["x"], [["a"]])},
        0,
        "multi_label",
        events.append,
    )

    assert len(splits["validation"][0]) == 1 and len(splits["train"][0]) == 10
    assert "random" in strategy and carved["validation"]["how"] == "random"
    assert any(isinstance(e, LogEvent) and e.level == "warning" and "at random" in e.message for e in events)


def test_too_few_training_rows_to_carve_from_are_refused():
    with pytest.raises(UsageError, match="only 9 training rows: too few to carve a validation split") as info:
        complete({"train": (["t"] * 9, ["joy"] * 9), "test": (["x"], ["joy"])}, 0, "single_label", None)
    assert "validation file" in info.value.hint


def test_a_source_with_its_own_validation_split_is_kept_as_it_is():
    splits = {"train": (["a"], ["joy"]), "validation": (["b"], ["joy"])}
    assert complete(splits, 0, "single_label", None) == (splits, "source", {})


def test_a_train_only_multi_label_file_gets_80_10_10_on_label_sets(tmp_path):
    rows = [{"text": f"t{i}", "labels": [LABELS[i % 3], LABELS[3 + i % 2]]} for i in range(300)]
    dv = pull(str(write_jsonl(tmp_path / "all.jsonl", rows)), seed=1).version

    assert dv.task == "multi_label" and dv.rows == {"train": 240, "validation": 30, "test": 30}
    assert dv.manifest["split_strategy"] == "stratified on label sets 80/10/10, seed 1"


def test_validate_fails_a_version_without_a_validation_split_with_a_hint(cli):
    texts = [f"text {i}" for i in range(40)]
    split = (texts, ["joy", "sadness"] * 20)
    dv = store(
        "old", "v1", {"train": split, "test": split}, ["joy", "sadness"], {"source": "/data/old"}, None
    )

    report = checks.validate(dv)

    found = {c.name: c for c in report.checks}
    assert not report.ok and found["validation_split"].status == checks.FAIL
    assert "re-pull" not in found["validation_split"].detail  # the hint says what to do
    assert found["validation_split"].hint.startswith(
        "pull the source again (emoai data pull /data/old --name old)"
    )
    result = cli("data", "validate", "old")
    assert result.exit_code == 1
    assert "Hint: validation_split: pull the source again" in result.stderr
    refused = cli("train", "--data", "old")  # refused before Ray starts
    assert refused.exit_code == 2 and "fails validation (validation_split)" in refused.stderr
