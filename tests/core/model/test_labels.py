"""The label set: an ordered list of names whose index is the class id, the same everywhere."""

from __future__ import annotations

import pytest

from emoai_core.model.labels import LabelMap


def test_label_map_round_trip(tmp_path):
    labels = LabelMap.from_names(["sadness", "joy", "love"])
    labels.save(tmp_path)
    loaded = LabelMap.load(tmp_path)
    assert loaded == labels
    assert loaded.to_id("love") == 2
    assert loaded.id2label == {0: "sadness", 1: "joy", 2: "love"}


def test_label_map_rejects_duplicates():
    with pytest.raises(ValueError, match="duplicate"):
        LabelMap.from_names(["joy", "joy"])


def test_free_text_names_get_metric_safe_unique_keys():
    labels = LabelMap.from_names(["joy (mild)", "love?", "a,b+c", "joy  mild", "+", "émotion"])
    keys = labels.metric_keys
    assert keys["joy (mild)"] == "joy_mild" and keys["love?"] == "love" and keys["a,b+c"] == "a_b_c"
    assert keys["joy  mild"] == "joy_mild-2"  # would collide with the first: numbered in label order
    assert keys["+"] == "label" and keys["émotion"] == "motion"
    assert len(set(keys.values())) == len(keys)
    assert all(set(k) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") for k in keys.values())


def test_task_and_thresholds_travel_in_labels_json(tmp_path):
    labels = LabelMap.from_names(["joy", "love?"], "multi_label").with_thresholds([0.3, 0.55])
    labels.save(tmp_path)
    loaded = LabelMap.load(tmp_path)
    assert loaded == labels and loaded.multi_label and loaded.decision_thresholds() == (0.3, 0.55)


def test_a_labels_file_from_before_tasks_is_single_label(tmp_path):
    (tmp_path / "labels.json").write_text('{"labels": ["joy", "sadness"]}')
    loaded = LabelMap.load(tmp_path)
    assert loaded.task == "single_label" and loaded.thresholds is None
    assert loaded.to_json() == {"labels": ["joy", "sadness"]}  # single-label files keep their shape


def test_label_map_refuses_an_unknown_task_or_a_wrong_threshold_count():
    with pytest.raises(ValueError, match="unknown task"):
        LabelMap(("a",), "regression")
    with pytest.raises(ValueError, match="2 thresholds for 1 labels"):
        LabelMap(("a",), "multi_label", (0.5, 0.5))
