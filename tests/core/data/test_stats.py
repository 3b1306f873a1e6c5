"""emoai_core.data.stats: duplicate and cross-split counts, and `data show`'s description of a version."""

from __future__ import annotations

from emoai_core.data.stats import describe, duplicates, shared_texts
from emoai_core.data.versions import store


def test_duplicates_count_extra_copies_and_repeated_texts():
    assert duplicates(["a", "b", "a", "a", "c", "c"]) == {"extra_copies": 3, "distinct_texts": 2}
    assert duplicates(["a", "b"]) == {"extra_copies": 0, "distinct_texts": 0}
    assert duplicates([]) == {"extra_copies": 0, "distinct_texts": 0}


def test_shared_texts_counts_distinct_texts_per_pair_in_split_order():
    shared = shared_texts({"test": ["x", "y", "y"], "train": ["x", "y", "z"], "validation": ["z", "q"]})

    assert shared == {"train&validation": 1, "train&test": 2, "validation&test": 0}


def test_shared_texts_of_one_split_is_empty():
    assert shared_texts({"train": ["a", "a"]}) == {}


def test_describe_reports_rows_labels_lengths_and_overlaps():
    splits = {
        "train": (["one two", "one two", "a b c d"], ["joy", "joy", "sadness"]),
        "test": (["a b c d", "x"], ["sadness", "joy"]),
    }
    dv = store("gen", "abc", splits, ["joy", "sadness"], {"source": "here", "split_strategy": "source"}, None)

    info = describe(dv)

    assert info["ref"] == "gen@abc" and info["source"] == "here" and info["label_names"] == ["joy", "sadness"]
    train = info["splits"]["train"]
    assert train["rows"] == 3 and train["label_counts"] == {"joy": 2, "sadness": 1}
    assert train["duplicates"] == {"extra_copies": 1, "distinct_texts": 1}
    assert train["words"]["max"] == 4 and train["words"]["p50"] == 2.0
    assert info["shared_texts"] == {"train&test": 1}


def test_labels_per_row_and_top_pairs():
    from emoai_core.data.stats import labels_per_row, top_pairs

    labels = [["a", "b"], ["a", "b", "c"], [], ["b"], ["a", "c", "d", "e"], ["b", "a"]]

    assert labels_per_row(labels) == {"0": 1, "1": 1, "2": 2, "3+": 2}
    assert labels_per_row(["joy", None]) == {"0": 1, "1": 1, "2": 0, "3+": 0}
    assert top_pairs(labels, 3) == [
        {"labels": ["a", "b"], "rows": 3},
        {"labels": ["a", "c"], "rows": 2},
        {"labels": ["a", "d"], "rows": 1},
    ]


def test_describe_a_multi_label_version():
    splits = {
        "train": (["x", "y", "z", "w"], [["joy", "love"], ["joy"], [], ["joy", "love", "fear"]]),
        "validation": (["v"], [["fear"]]),
    }
    names = ["fear", "joy", "love"]
    dv = store("go", "v1", splits, names, {"source": "here"}, None, task="multi_label")

    info = describe(dv)

    assert info["task"] == "multi_label"
    train = info["splits"]["train"]
    assert train["label_counts"] == {"fear": 1, "joy": 3, "love": 2}
    assert train["labels_per_row"] == {"0": 1, "1": 1, "2": 1, "3+": 1} and train["no_label"] == 1
    assert train["top_pairs"][0] == {"labels": ["joy", "love"], "rows": 2}
    assert info["splits"]["validation"]["top_pairs"] == []


def test_describe_a_single_label_version_has_no_multi_label_keys():
    dv = store("one", "v1", {"train": (["a"], ["joy"])}, ["joy"], {"source": "here"}, None)
    assert "labels_per_row" not in describe(dv)["splits"]["train"]
