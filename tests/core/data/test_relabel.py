"""emoai_core.data.relabel: a version through a label map becomes an ordinary, validated data version
that records its parent, the map and what was kept and dropped."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import shared_data_dir

from emoai_core.base.errors import UsageError
from emoai_core.data.relabel import map_version
from emoai_core.data.versions import content_version, list_versions, resolve_version, store

MULTI = ["joy", "amusement", "grief", "neutral"]


def _multi_parent(rows: dict[str, list[tuple[str, list[str]]]]):
    splits = {s: ([t for t, _ in r], [sorted(lab) for _, lab in r]) for s, r in rows.items()}
    version = content_version(splits, MULTI, "multi_label")
    meta = {"source": "generated", "source_kind": "generated", "created": "2026-12-06T00:00:00+00:00"}
    return store("go", version, splits, MULTI, meta, None, task="multi_label")


def _rows(n: int, offset: int = 0) -> list[tuple[str, list[str]]]:
    kinds = [["joy"], ["amusement"], ["joy", "amusement"], ["grief"], ["joy", "grief"], ["neutral"], []]
    return [(f"text {offset + i}", kinds[i % len(kinds)]) for i in range(n)]


MAP = """name: go3
labels: [sadness, joy]
map: {joy: joy, amusement: joy, grief: sadness}
drop: [neutral]
multi_label: keep_if_agree
"""


@pytest.fixture
def map_file(tmp_path: Path) -> Path:
    path = tmp_path / "go3.yaml"
    path.write_text(MAP)
    return path


def test_a_mapped_version_records_its_parent_the_map_and_the_counts(map_file):
    parent = _multi_parent({"train": _rows(70), "validation": _rows(14, 100), "test": _rows(14, 200)})

    result = map_version(parent, map_file)

    dv = result.version
    assert result.created and dv.name == "go3" and dv.task == "single_label"
    assert dv.manifest["label_names"] == ["sadness", "joy"]
    train = result.stats["train"]
    # of every 7 rows: joy, amusement, joy+amusement -> joy; grief -> sadness; joy+grief disagree;
    # neutral only dropped labels; [] no label
    assert (train.rows, train.kept) == (70, 40)
    assert dict(train.dropped) == {"labels_disagree": 10, "only_dropped_labels": 10, "no_label": 10}
    assert train.sources == {"joy": {"joy": 20, "amusement": 20}, "sadness": {"grief": 10}}
    assert dv.manifest["splits"]["train"]["label_counts"] == {"sadness": 10, "joy": 30}
    texts, labels = dv.read_split("train")
    assert len(texts) == 40 and set(labels) == {"joy", "sadness"}
    manifest = dv.manifest
    assert manifest["parent"] == {
        "name": "go",
        "version": parent.version,
        "ref": parent.ref,
        "source": "generated",
        "task": "multi_label",
    }
    assert manifest["source"] == parent.ref and manifest["source_kind"] == "label_map"
    recorded = manifest["label_map"]
    assert recorded["text"] == MAP and recorded["sha256"] == hashlib.sha256(MAP.encode()).hexdigest()
    assert recorded["file"] == str(map_file)
    assert recorded["rules"]["multi_label"] == "keep_if_agree" and recorded["rules"]["drop"] == ["neutral"]
    assert recorded["rows"]["validation"]["kept"] == 8
    assert result.validation.ok
    assert resolve_version("go3").ref == dv.ref


def test_mapping_the_same_way_twice_stores_nothing_new(map_file):
    parent = _multi_parent({"train": _rows(70), "validation": _rows(14, 100)})
    first = map_version(parent, map_file)
    again = map_version(parent, map_file, name="go3")
    assert again.version.ref == first.version.ref and not again.created
    assert len([v for v in list_versions() if v.name == "go3"]) == 1


def test_a_split_the_map_empties_is_carved_again_from_train(map_file):
    only_neutral = [(f"v {i}", ["neutral"]) for i in range(10)]
    parent = _multi_parent({"train": _rows(140), "validation": only_neutral, "test": _rows(14, 300)})
    events = []

    result = map_version(parent, map_file, on_event=events.append)

    dv = result.version
    assert dv.rows["validation"] == 8 and dv.rows["train"] == 72  # 10 % of the 80 kept train rows
    assert "carved" in dv.manifest and "validation carved from train" in dv.manifest["split_strategy"]
    assert any("keeps no validation row" in getattr(e, "message", "") for e in events)
    assert result.validation.ok


def test_nothing_is_stored_when_the_map_keeps_no_training_row(tmp_path):
    parent = _multi_parent(
        {"train": [(f"t {i}", ["grief", "neutral"]) for i in range(20)], "validation": _rows(7)}
    )
    path = tmp_path / "m.yaml"
    path.write_text(
        "map: {joy: joy, grief: sadness}\ndrop: [amusement, neutral]\ndropped_labels: drop_row\nname: none\n"
    )
    with pytest.raises(UsageError, match="keeps no training row"):
        map_version(parent, path)
    assert not [v for v in list_versions() if v.name == "none"]


def test_the_map_is_checked_against_the_parent_before_anything_is_stored(tmp_path):
    parent = _multi_parent({"train": _rows(14), "validation": _rows(7)})
    path = tmp_path / "m.yaml"
    path.write_text("map: {joy: joy, amusment: joy}\n")
    with pytest.raises(UsageError, match="unknown source label 'amusment'"):
        map_version(parent, path, name="typo")
    assert [v.name for v in list_versions()] == ["go"]


def test_the_mapped_version_needs_a_name_of_its_own(map_file):
    parent = _multi_parent({"train": _rows(14), "validation": _rows(7)})
    with pytest.raises(UsageError, match="needs a name of its own"):
        map_version(parent, map_file, name="go")


def test_a_single_label_version_is_renamed_and_merged(tmp_path, gen_data):
    path = tmp_path / "m.yaml"
    path.write_text("map: {joy: positive, love: positive, surprise: positive}\nunmapped: drop\n")
    result = map_version(resolve_version(gen_data), path, name="pos")
    dv = result.version
    assert dv.manifest["label_names"] == ["positive"] and dv.task == "single_label"
    assert result.stats["train"].kept == 300 and result.stats["train"].dropped == {"unmapped_label": 300}
    assert dv.manifest["split_strategy"] == resolve_version(gen_data).manifest["split_strategy"]
    assert result.validation.ok
    assert json.loads((dv.path / "manifest.json").read_text())["parent"]["ref"] == gen_data


def test_the_shipped_map_on_real_goemotions():
    folder = shared_data_dir("goemotions")
    if not (folder / "train.jsonl").exists():
        pytest.skip(f"real GoEmotions data not found at {folder}")
    from emoai_core.data.pull import pull

    repo = Path(__file__).resolve().parents[3]
    result = pull(str(folder), label_map=repo / "examples/label_maps/goemotions_to_emotion.yaml").mapped
    assert result is not None and result.version.name == "goemotions6" and result.validation.ok
    counts = {s: v["label_counts"] for s, v in result.version.manifest["splits"].items()}
    assert counts["train"] == {
        "sadness": 2326,
        "joy": 11931,
        "love": 2107,
        "anger": 3309,
        "fear": 541,
        "surprise": 720,
    }
    assert counts["validation"] == {
        "sadness": 266,
        "joy": 1532,
        "love": 272,
        "anger": 390,
        "fear": 72,
        "surprise": 95,
    }
    assert counts["test"] == {
        "sadness": 283,
        "joy": 1467,
        "love": 251,
        "anger": 445,
        "fear": 80,
        "surprise": 87,
    }


def test_data_show_says_what_a_version_was_mapped_from(cli, map_file):
    parent = _multi_parent({"train": _rows(70), "validation": _rows(14, 100)})
    map_version(parent, map_file)

    shown = json.loads(cli("data", "show", "go3", "--json").stdout)
    assert shown["parent"] == parent.ref and shown["label_map"]["file"] == str(map_file)
    assert shown["label_map"]["rows"]["train"] == {
        "rows": 70,
        "kept": 40,
        "dropped": {"labels_disagree": 10, "only_dropped_labels": 10, "no_label": 10},
    }
    text = cli("data", "show", "go3").stdout
    assert f"mapped from {parent.ref} with {map_file}" in text and "kept train 40 of 70" in text
    assert "label_map" not in json.loads(cli("data", "show", "go", "--json").stdout)
