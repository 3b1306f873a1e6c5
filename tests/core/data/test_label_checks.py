"""emoai_core.data.label_checks: the label checks that make sense per task (and emoai_core.data.report's
verdict over them)."""

from __future__ import annotations

from emoai_core.data.checks import validate
from emoai_core.data.label_checks import label_checks
from emoai_core.data.report import FAIL, PASS, WARN, Check, ValidationReport
from emoai_core.data.versions import store

NAMES = ["anger", "fear", "joy"]


def _multi(train: list[list[str]], validation: list[list[str]] | None = None, names=NAMES):
    val = validation if validation is not None else [["joy"]]
    splits = {
        "train": ([f"t{i}" for i in range(len(train))], train),
        "validation": ([f"v{i}" for i in range(len(val))], val),
    }
    return {c.name: c for c in label_checks(splits, names, "multi_label")}


def test_a_clean_multi_label_set_passes():
    found = _multi([["anger"], ["fear", "joy"], ["joy"]] * 20, [["anger"], ["fear"], ["joy"]])

    assert list(found) == [
        "empty_label_sets",
        "label_in_set",
        "labels_seen_in_train",
        "label_sets_match",
        "class_sizes",
    ]
    assert {c.status for c in found.values()} == {PASS}
    assert found["class_sizes"].detail == "smallest label has 20 training examples"


def test_empty_label_sets_warn_with_their_count():
    found = _multi([["anger", "fear", "joy"]] * 25 + [[], []], [[], ["joy"]])

    assert found["empty_label_sets"].status == WARN
    assert found["empty_label_sets"].detail == "3 rows with no label (an empty label set)"
    assert found["empty_label_sets"].examples == ["train row 26", "train row 27", "validation row 1"]


def test_a_label_never_seen_in_train_fails_once():
    found = _multi([["anger", "joy"]] * 25, [["fear"], ["anger", "joy"]])

    assert found["labels_seen_in_train"].status == FAIL
    assert found["labels_seen_in_train"].detail == "1 labels never occur in train: fear"
    assert "never sees" in found["labels_seen_in_train"].hint
    assert found["class_sizes"].status == PASS  # not repeated as a tiny class
    assert found["label_sets_match"].status == PASS


def test_labels_outside_the_set_and_tiny_labels():
    found = _multi([["anger", "fear", "joy"]] * 25 + [["surprise"]] + [["anger", "joy"]] * 5)
    assert found["label_in_set"].status == FAIL and "surprise" in found["label_in_set"].detail

    found = _multi([["anger", "joy"]] * 25 + [["fear"]])
    assert found["class_sizes"].status == FAIL and "labels with fewer than 2" in found["class_sizes"].detail
    found = _multi([["anger", "joy"]] * 25 + [["fear"]] * 5)
    assert found["class_sizes"].status == WARN and "fear (5)" in found["class_sizes"].detail


def test_a_split_lacking_a_label_only_warns():
    found = _multi([["anger"], ["fear"], ["joy"]] * 25, [["joy"]])
    assert (
        found["label_sets_match"].status == WARN
        and "validation lacks: anger, fear" in found["label_sets_match"].detail
    )


def test_a_stored_multi_label_version_validates_with_its_schema():
    train = ([f"t{i}" for i in range(60)], [["anger", "joy"], ["fear"], []] * 20)
    dv = store(
        "go", "v1", {"train": train, "validation": train}, NAMES, {"source": "x"}, None, task="multi_label"
    )

    report = validate(dv)

    found = {c.name: c for c in report.checks}
    assert report.ok and report.status == WARN  # empty label sets and duplicates warn
    assert (
        found["schema"].detail == "splits train, validation with columns text: string, labels: list<string>"
    )
    assert "missing_label" not in found


def test_a_single_label_file_under_a_multi_label_manifest_fails_the_schema():
    dv = store("mixed", "v1", {"train": (["a"], ["joy"])}, NAMES, {"source": "x"}, None)
    dv.manifest["task"] = "multi_label"  # a manifest that does not match its files

    report = validate(dv)

    assert [c.name for c in report.checks] == ["schema"] and report.checks[0].status == FAIL
    assert "expected text: string, labels: list<string>" in report.checks[0].detail


def test_the_report_json_carries_hints():
    report = ValidationReport("x@1", [Check("a", FAIL, "broken", hint="fix it"), Check("b", PASS, "ok")])
    assert report.to_json()["checks"] == [
        {"name": "a", "status": FAIL, "detail": "broken", "examples": [], "hint": "fix it"},
        {"name": "b", "status": PASS, "detail": "ok", "examples": []},
    ]
    assert not report.ok and report.status == FAIL
