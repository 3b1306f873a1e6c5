"""`emoai data validate`: named checks over a stored version, each pass / warn / fail.

Training refuses a version with any failure; warnings (duplicates, texts shared across splits)
are facts worth knowing about real data, not reasons to stop.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emoai_core.data.stats import duplicates, shared_texts

if TYPE_CHECKING:
    from emoai_core.data.versions import DataVersion

PASS, WARN, FAIL = "pass", "warn", "fail"
MIN_CLASS_FAIL = 2  # a class with fewer training examples cannot be learned (or stratified)
MIN_CLASS_WARN = 20
EXAMPLES = 5


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    examples: list[Any] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "examples": self.examples}


@dataclass
class ValidationReport:
    ref: str
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    @property
    def status(self) -> str:
        statuses = {c.status for c in self.checks}
        return FAIL if FAIL in statuses else WARN if WARN in statuses else PASS

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "ok": self.ok,
            "status": self.status,
            "checks": [c.to_json() for c in self.checks],
        }


def _rows_where(splits: dict, predicate: Any) -> tuple[int, list[str]]:
    count, examples = 0, []
    for split, (texts, labels) in splits.items():
        for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
            if predicate(text, label):
                count += 1
                if len(examples) < EXAMPLES:
                    examples.append(f"{split} row {i + 1}")
    return count, examples


def _schema(dv: DataVersion) -> tuple[Check, dict]:
    import pyarrow.parquet as pq

    splits, problems = {}, []
    for split, info in dv.manifest.get("splits", {}).items():
        try:
            table = pq.read_table(dv.split_path(split))
        except Exception as exc:  # noqa: BLE001 - any unreadable file is a schema failure
            problems.append(f"{split}: unreadable ({type(exc).__name__})")
            continue
        types = {f.name: str(f.type) for f in table.schema}
        if types.get("text") != "string" or types.get("label") != "string":
            problems.append(f"{split}: columns {types}, expected text: string, label: string")
            continue
        if table.num_rows != info.get("rows"):
            problems.append(f"{split}: {table.num_rows} rows, manifest says {info.get('rows')}")
        splits[split] = (table.column("text").to_pylist(), table.column("label").to_pylist())
    if "train" not in dv.manifest.get("splits", {}):
        problems.append("no train split")
    if problems:
        return Check("schema", FAIL, "; ".join(problems)), splits
    return Check("schema", PASS, f"splits {', '.join(splits)} with text and label columns"), splits


def _empty_text(splits: dict) -> Check:
    n, ex = _rows_where(splits, lambda t, _: t is None or not str(t).strip())
    return Check(
        "empty_text",
        FAIL if n else PASS,
        f"{n} empty or whitespace-only texts" if n else "no empty texts",
        ex,
    )


def _missing_label(splits: dict) -> Check:
    n, ex = _rows_where(splits, lambda _, lab: lab is None)
    return Check(
        "missing_label",
        FAIL if n else PASS,
        f"{n} rows without a label" if n else "every row has a label",
        ex,
    )


def _unknown_label(splits: dict, names: list[str]) -> Check:
    known = set(names)
    n, ex = _rows_where(splits, lambda _, lab: lab is not None and lab not in known)
    seen = sorted(
        {lab for _, labels in splits.values() for lab in labels if lab is not None and lab not in known}
    )
    if n:
        return Check(
            "label_in_set", FAIL, f"{n} rows with labels outside the label set: {', '.join(seen[:10])}", ex
        )
    return Check("label_in_set", PASS, f"all labels in {{{', '.join(names)}}}")


def _label_sets(splits: dict) -> Check:
    present = {s: {lab for lab in labels if lab is not None} for s, (_, labels) in splits.items()}
    train = present.get("train", set())
    unseen = {s: sorted(p - train) for s, p in present.items() if p - train}
    if unseen:
        detail = "; ".join(f"{s} has labels train lacks: {', '.join(v)}" for s, v in unseen.items())
        return Check("label_sets_match", FAIL, detail)
    missing = {s: sorted(train - p) for s, p in present.items() if train - p}
    if missing:
        detail = "; ".join(f"{s} lacks: {', '.join(v)}" for s, v in missing.items())
        return Check("label_sets_match", WARN, detail)
    return Check("label_sets_match", PASS, "every split has the same labels")


def _class_sizes(splits: dict, names: list[str]) -> Check:
    counts = Counter(lab for lab in splits.get("train", ([], []))[1] if lab is not None)
    tiny = {n: counts.get(n, 0) for n in names if counts.get(n, 0) < MIN_CLASS_FAIL}
    small = {n: counts.get(n, 0) for n in names if MIN_CLASS_FAIL <= counts.get(n, 0) < MIN_CLASS_WARN}
    if tiny:
        return Check(
            "class_sizes",
            FAIL,
            "classes with fewer than 2 training examples: "
            + ", ".join(f"{n} ({c})" for n, c in tiny.items()),
        )
    if small:
        return Check(
            "class_sizes",
            WARN,
            f"classes with fewer than {MIN_CLASS_WARN} training examples: "
            + ", ".join(f"{n} ({c})" for n, c in small.items()),
        )
    smallest = min(counts.values()) if counts else 0
    return Check("class_sizes", PASS, f"smallest class has {smallest} training examples")


def _duplicates(splits: dict) -> Check:
    found = {s: duplicates(texts) for s, (texts, _) in splits.items()}
    dup = {s: d for s, d in found.items() if d["extra_copies"]}
    if not dup:
        return Check("duplicates", PASS, "no duplicate texts within a split")
    detail = "; ".join(
        f"{s}: {d['extra_copies']} repeated rows ({d['distinct_texts']} texts)" for s, d in dup.items()
    )
    return Check("duplicates", WARN, detail)


def _shared(splits: dict) -> Check:
    shared = {k: v for k, v in shared_texts({s: t for s, (t, _) in splits.items()}).items() if v}
    if not shared:
        return Check("shared_across_splits", PASS, "no text appears in two splits")
    return Check(
        "shared_across_splits",
        WARN,
        "texts in two splits: " + ", ".join(f"{k} {v}" for k, v in shared.items()),
    )


def validate(dv: DataVersion) -> ValidationReport:
    schema, splits = _schema(dv)
    if schema.status == FAIL:
        return ValidationReport(dv.ref, [schema])
    names = list(dv.manifest.get("label_names", []))
    checks = [
        schema,
        _empty_text(splits),
        _missing_label(splits),
        _unknown_label(splits, names),
        _label_sets(splits),
        _class_sizes(splits, names),
        _duplicates(splits),
        _shared(splits),
    ]
    return ValidationReport(dv.ref, checks)
