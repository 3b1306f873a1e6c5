"""emoai_core.data.normalise: raw label values become names — ids through label names, lists and
comma-separated text into sorted label sets — and the task follows from the data."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.base.events import LogEvent
from emoai_core.data.normalise import Labeler, detect_task, normalise
from emoai_core.data.sources import RawData, RawSplit

NAMES = ["admiration", "amusement", "anger", "annoyance"]


def _raw(labels: list, names: list[str] | None = None, column: str | None = "label") -> RawData:
    texts = [f"text {i}" for i in range(len(labels))]
    return RawData({"train": RawSplit(texts, labels)}, names, "test-source", "file", column)


def test_digit_strings_are_ids_when_label_names_are_given():
    labeler = Labeler(NAMES)

    assert labeler.name("2", "row 1") == "anger"  # how csv/tsv/txt deliver an integer label
    assert labeler.name(" 3 ", "row 1") == "annoyance"
    assert labeler.name(1, "row 1") == "amusement"
    assert labeler.name(0.0, "row 1") == "admiration"
    assert labeler.name("9", "row 1") == "9"  # out of range: kept, for validation to report
    assert Labeler(None).name("2", "row 1") == "2"  # no names: a digit string is a name


def test_a_label_name_made_of_digits_stays_a_name():
    labeler = Labeler(["1", "2", "3", "4", "5"])  # star ratings

    assert [labeler.name(v, "r") for v in ("1", "5", 0)] == ["1", "5", "1"]


def test_integers_without_label_names_are_refused_with_a_hint():
    with pytest.raises(UsageError, match="row 4: integer label 2 but no label names") as info:
        Labeler(None).name(2, "row 4")
    assert "--label-names FILE|a,b,c" in info.value.hint


def test_a_rows_label_set_is_deduplicated_sorted_names():
    labeler = Labeler(NAMES)

    assert labeler.names_of("3,2,2", True, "r") == ["anger", "annoyance"]
    assert labeler.names_of([3, "anger", "amusement"], False, "r") == ["amusement", "anger", "annoyance"]
    assert labeler.names_of("", True, "r") == [] and labeler.names_of(None, True, "r") == []
    assert labeler.names_of(" anger , ", True, "r") == ["anger"]
    # without --multi-label a scalar is one label, commas and all (names are free text)
    assert Labeler(None).names_of("Joy, mild", False, "r") == ["Joy, mild"]


def test_nested_lists_are_refused():
    with pytest.raises(UsageError, match=r"row 2: label \['a'\] is not a name or an id"):
        Labeler(None).names_of([["a"]], False, "row 2")


def test_the_task_follows_from_lists_or_the_option():
    assert detect_task(_raw(["joy", "sad"]), False) == "single_label"
    assert detect_task(_raw(["joy", ["sad", "joy"]]), False) == "multi_label"
    assert detect_task(_raw(["joy,sad"]), True) == "multi_label"


def test_normalise_multi_label_keeps_the_given_name_order():
    splits, names, task = normalise(_raw(["0,2", "27", "", "1,1"], NAMES), multi_label=True)

    assert task == "multi_label" and names == NAMES
    assert splits["train"][1] == [["admiration", "anger"], ["27"], [], ["amusement"]]


def test_normalise_without_names_sorts_the_names_seen():
    splits, names, task = normalise(_raw([["b", "a"], ["c"], None]))

    assert task == "multi_label" and names == ["a", "b", "c"]
    assert splits["train"][1] == [["a", "b"], ["c"], []]


def test_ids_without_names_and_comma_lists_in_single_label_data_are_warned_about():
    events: list[object] = []
    normalise(_raw(["2,3", "1", "4"]), on_event=events.append)

    warnings = [e.message for e in events if isinstance(e, LogEvent) and e.level == "warning"]
    # '2,3' is not an id itself, so only the comma list is warned about
    assert warnings == [
        "labels such as '2,3' look like comma-separated label lists: for multi-label data pass --multi-label"
    ]

    events.clear()
    normalise(_raw(["2", "3"]), on_event=events.append)
    assert [e.message for e in events if isinstance(e, LogEvent)] == [
        "every label looks like an integer id (2, 3) but no label names were given: they are kept as "
        "names; to map them, pass --label-names FILE|a,b,c"
    ]


def test_an_empty_source_is_refused():
    with pytest.raises(UsageError, match="the dataset is empty"):
        normalise(_raw([]))
