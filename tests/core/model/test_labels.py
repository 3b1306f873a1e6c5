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
