"""emoai_core.data.pull: a source normalised into a content-addressed version (train-only data gets split)."""

from __future__ import annotations

import json

import pytest
from fixtures import LABELS, make_rows, write_jsonl, write_split_folder

from emoai_core.base.errors import UsageError
from emoai_core.base.events import LogEvent
from emoai_core.data.pull import check_name, default_name, pull


def test_pulling_the_same_content_twice_stores_one_version(tmp_path):
    folder = write_split_folder(tmp_path / "src", sizes=(30, 6, 6))

    first = pull(str(folder), name="gen")
    again = pull(str(folder), name="gen")

    assert first.created and not again.created
    assert again.version.ref == first.version.ref
    assert first.version.rows == {"train": 30, "validation": 6, "test": 6}
    assert first.version.manifest["split_strategy"] == "source"
    assert set(first.version.manifest["label_names"]) == set(LABELS)


def test_a_train_only_file_gets_a_seeded_stratified_split(tmp_path):
    source = write_jsonl(tmp_path / "all.jsonl", make_rows(600))

    result = pull(str(source), seed=7)

    dv = result.version
    assert dv.name == "all"
    assert dv.rows == {"train": 480, "validation": 60, "test": 60}
    assert dv.manifest["split_strategy"] == "stratified 80/10/10, seed 7"
    assert all(count == 10 for count in dv.manifest["splits"]["test"]["label_counts"].values())
    other_seed = pull(str(source), seed=8).version
    assert other_seed.version != dv.version


def test_integer_labels_take_their_names_from_labels_txt(tmp_path):
    (tmp_path / "labels.txt").write_text("sadness\njoy\n")
    rows = [{"text": f"t{i}", "label": i % 2} for i in range(12)] + [{"text": "odd", "label": 5}]
    write_jsonl(tmp_path / "train.jsonl", rows)

    dv = pull(str(tmp_path), name="ints").version

    labels = [label for split in dv.rows for label in dv.read_split(split)[1]]
    assert dv.manifest["label_names"] == ["sadness", "joy"]
    assert labels.count("sadness") == 6 and labels.count("joy") == 6
    assert labels.count("5") == 1  # out of range: kept as is, for validation to report


def test_integer_labels_without_names_are_refused(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", [{"text": "a", "label": 0}])
    with pytest.raises(UsageError, match="train row 1: integer label 0 but no label names"):
        pull(str(tmp_path), name="x")


def test_a_label_column_of_lists_is_multi_label_without_options(tmp_path):
    rows = [{"text": f"t{i}", "label": [["joy", "love"], [], ["fear"]][i % 3]} for i in range(30)]
    write_jsonl(tmp_path / "train.jsonl", rows)

    dv = pull(str(tmp_path), name="x").version

    assert dv.task == "multi_label" and dv.manifest["label_names"] == ["fear", "joy", "love"]
    labels = [lab for split in dv.rows for lab in dv.read_split(split)[1]]
    assert sorted(map(tuple, labels)) == sorted([("fear",)] * 10 + [()] * 10 + [("joy", "love")] * 10)


def test_too_few_rows_to_split_are_refused(tmp_path):
    source = write_jsonl(tmp_path / "tiny.jsonl", make_rows(9))
    with pytest.raises(UsageError, match="only 9 rows"):
        pull(str(source))


def test_too_few_rows_per_label_to_stratify_warns_and_splits_at_random(tmp_path):
    source = write_jsonl(tmp_path / "few.jsonl", make_rows(12))  # 2 rows per label
    events: list[object] = []

    dv = pull(str(source), on_event=events.append).version

    assert sum(dv.rows.values()) == 12
    assert any(isinstance(e, LogEvent) and e.level == "warning" and "at random" in e.message for e in events)


@pytest.mark.parametrize(
    ("source", "name"),
    [("dair-ai/emotion", "emotion"), ("../data/emotion/", "emotion"), ("/x/My Data.jsonl", "my-data")],
)
def test_default_name(source, name):
    assert default_name(source) == name


def test_check_name_refuses_odd_names():
    assert check_name("gen-1.2_b") == "gen-1.2_b"
    with pytest.raises(UsageError, match="invalid data name"):
        check_name("../escape")


def test_the_manifest_records_the_source_and_columns(tmp_path):
    write_jsonl(tmp_path / "train.jsonl", [{"body": f"t{i}", "emotion": "joy"} for i in range(12)])

    dv = pull(str(tmp_path), name="cols", text_col="body", label_col="emotion").version

    manifest = json.loads((dv.path / "manifest.json").read_text())
    assert manifest["columns"] == {"text": "body", "label": "emotion"}
    assert manifest["source_kind"] == "folder"
