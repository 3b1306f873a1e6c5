"""emoai_core.data.checks: named checks over a stored version; training refuses any failure."""

from __future__ import annotations

import pytest

from emoai_core.data import checks
from emoai_core.data.versions import store

NAMES = ["joy", "sadness"]


def _version(splits, names=NAMES):
    return store("t", "v1", splits, names, {"source": "test"}, None)


def _rows(n: int, label: str, prefix: str) -> tuple[list[str], list[str]]:
    return [f"{prefix} {label} {i}" for i in range(n)], [label] * n


def _split(*parts: tuple[list[str], list[str]]) -> tuple[list[str], list[str | None]]:
    texts, labels = [], []
    for t, lab in parts:
        texts += t
        labels += lab
    return texts, labels


def _by_name(report: checks.ValidationReport) -> dict[str, checks.Check]:
    return {c.name: c for c in report.checks}


def test_a_clean_version_passes_every_check():
    report = checks.validate(
        _version(
            {
                "train": _split(_rows(25, "joy", "tr"), _rows(25, "sadness", "tr")),
                "validation": _split(_rows(3, "joy", "va"), _rows(3, "sadness", "va")),
            }
        )
    )

    assert report.ok and report.status == checks.PASS
    assert list(_by_name(report)) == [
        "schema",
        "validation_split",
        "empty_text",
        "missing_label",
        "label_in_set",
        "label_sets_match",
        "class_sizes",
        "duplicates",
        "shared_across_splits",
    ]
    assert report.to_json()["ref"] == "t@v1"


def test_broken_rows_fail_and_name_where_they_are():
    train = _split(
        _rows(25, "joy", "tr"),
        (["sad 1", "   "], ["sadness", "sadness"]),
        (["x"], [None]),
        (["y"], ["anger"]),
    )
    report = checks.validate(_version({"train": train}))

    found = _by_name(report)
    assert not report.ok and report.status == checks.FAIL
    assert found["empty_text"].status == checks.FAIL and found["empty_text"].examples == ["train row 27"]
    assert found["missing_label"].status == checks.FAIL and found["missing_label"].examples == [
        "train row 28"
    ]
    assert found["label_in_set"].status == checks.FAIL and "anger" in found["label_in_set"].detail
    assert found["class_sizes"].status == checks.WARN  # sadness has 2 rows: learnable, but few


def test_a_class_with_one_example_fails_and_repeats_only_warn():
    train = _split(_rows(30, "joy", "tr"), (["alone"], ["sadness"]), (["tr joy 0"] * 2, ["joy"] * 2))
    validation = _split((["tr joy 1", "va sad"], ["joy", "sadness"]))
    report = checks.validate(_version({"train": train, "validation": validation}))

    found = _by_name(report)
    assert found["class_sizes"].status == checks.FAIL and "sadness (1)" in found["class_sizes"].detail
    assert (
        found["duplicates"].status == checks.WARN
        and "train: 2 repeated rows (1 texts)" in found["duplicates"].detail
    )
    assert found["shared_across_splits"].status == checks.WARN
    assert "train&validation 1" in found["shared_across_splits"].detail


def test_a_version_without_a_train_split_fails_on_schema_alone():
    report = checks.validate(_version({"validation": _split(_rows(3, "joy", "va"))}))

    assert [c.name for c in report.checks] == ["schema"]
    assert report.checks[0].status == checks.FAIL and "no train split" in report.checks[0].detail


@pytest.mark.parametrize(("rows", "status"), [(1, checks.FAIL), (2, checks.WARN), (20, checks.PASS)])
def test_class_size_thresholds(rows, status):
    train = _split(_rows(25, "joy", "tr"), _rows(rows, "sadness", "tr"))
    assert _by_name(checks.validate(_version({"train": train})))["class_sizes"].status == status
