"""The checks on labels, per task.

Single-label: every row has a label, in the label set; validation/test hold no label train lacks;
each class has enough training examples. Multi-label: rows without any label are legitimate but
worth knowing (warn, with the count); every label occurs in train (a model cannot learn a label it
never sees); labels stay in the set; each label has enough training rows.
"""

from __future__ import annotations

from collections import Counter

from emoai_core.data.report import FAIL, PASS, WARN, Check, rows_where
from emoai_core.model.labels import MULTI_LABEL

MIN_CLASS_FAIL = 2  # a class with fewer training examples cannot be learned (or stratified)
MIN_CLASS_WARN = 20


def label_checks(splits: dict, names: list[str], task: str) -> list[Check]:
    if task == MULTI_LABEL:
        return [
            _empty_label_sets(splits),
            _unknown_label(splits, names, multi=True),
            _seen_in_train(splits, names),
            _label_sets(splits, multi=True),
            _class_sizes(splits, names, multi=True),
        ]
    return [
        _missing_label(splits),
        _unknown_label(splits, names, multi=False),
        _label_sets(splits, multi=False),
        _class_sizes(splits, names, multi=False),
    ]


def _names(label: object) -> list[str]:
    if isinstance(label, list):
        return label
    return [] if label is None else [label]  # type: ignore[list-item]


def _missing_label(splits: dict) -> Check:
    n, ex = rows_where(splits, lambda _, lab: lab is None)
    return Check(
        "missing_label",
        FAIL if n else PASS,
        f"{n} rows without a label" if n else "every row has a label",
        ex,
    )


def _empty_label_sets(splits: dict) -> Check:
    n, ex = rows_where(splits, lambda _, lab: not lab)
    if not n:
        return Check("empty_label_sets", PASS, "every row has at least one label")
    return Check("empty_label_sets", WARN, f"{n} rows with no label (an empty label set)", ex)


def _unknown_label(splits: dict, names: list[str], multi: bool) -> Check:
    known = set(names)
    n, ex = rows_where(splits, lambda _, lab: any(x not in known for x in _names(lab)))
    seen = sorted(
        {x for _, labels in splits.values() for lab in labels for x in _names(lab) if x not in known}
    )
    if n:
        return Check(
            "label_in_set", FAIL, f"{n} rows with labels outside the label set: {', '.join(seen[:10])}", ex
        )
    if multi:
        return Check("label_in_set", PASS, f"all labels among the {len(names)} names of the label set")
    return Check("label_in_set", PASS, f"all labels in {{{', '.join(names)}}}")


def _train_counts(splits: dict) -> Counter[str]:
    counts: Counter[str] = Counter()
    for lab in splits.get("train", ([], []))[1]:
        counts.update(set(_names(lab)))
    return counts


def _seen_in_train(splits: dict, names: list[str]) -> Check:
    counts = _train_counts(splits)
    unseen = [n for n in names if not counts.get(n)]
    if unseen:
        return Check(
            "labels_seen_in_train",
            FAIL,
            f"{len(unseen)} labels never occur in train: {', '.join(unseen[:10])}",
            hint="a model cannot learn a label it never sees: add training rows, or leave the label "
            "out of --label-names",
        )
    return Check("labels_seen_in_train", PASS, f"all {len(names)} labels occur in train")


def _label_sets(splits: dict, multi: bool) -> Check:
    present = {s: {x for lab in labels for x in _names(lab)} for s, (_, labels) in splits.items()}
    train = present.get("train", set())
    unseen = {s: sorted(p - train) for s, p in present.items() if p - train}
    if unseen and not multi:  # multi-label: labels_seen_in_train reports these
        detail = "; ".join(f"{s} has labels train lacks: {', '.join(v)}" for s, v in unseen.items())
        return Check("label_sets_match", FAIL, detail)
    missing = {s: sorted(train - p) for s, p in present.items() if train - p}
    if missing:
        detail = "; ".join(f"{s} lacks: {', '.join(v)}" for s, v in missing.items())
        return Check("label_sets_match", WARN, detail)
    if unseen:
        return Check("label_sets_match", PASS, "no split lacks a label train has")
    return Check("label_sets_match", PASS, "every split has the same labels")


def _class_sizes(splits: dict, names: list[str], multi: bool) -> Check:
    counts = _train_counts(splits)
    what = "labels" if multi else "classes"
    # multi-label: a label with no training row is labels_seen_in_train's failure, not repeated here
    sized = {n: counts.get(n, 0) for n in names if counts.get(n, 0) or not multi}
    tiny = {n: c for n, c in sized.items() if c < MIN_CLASS_FAIL}
    small = {n: c for n, c in sized.items() if MIN_CLASS_FAIL <= c < MIN_CLASS_WARN}
    if tiny:
        return Check(
            "class_sizes",
            FAIL,
            f"{what} with fewer than {MIN_CLASS_FAIL} training examples: "
            + ", ".join(f"{n} ({c})" for n, c in tiny.items()),
        )
    if small:
        return Check(
            "class_sizes",
            WARN,
            f"{what} with fewer than {MIN_CLASS_WARN} training examples: "
            + ", ".join(f"{n} ({c})" for n, c in small.items()),
        )
    smallest = min(counts.values()) if counts else 0
    kind = "label" if multi else "class"
    return Check("class_sizes", PASS, f"smallest {kind} has {smallest} training examples")
