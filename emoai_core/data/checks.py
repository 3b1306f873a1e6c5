"""`emoai data validate`: named checks over a stored version, each pass / warn / fail.

Training refuses a version with any failure; warnings (duplicates, texts shared across splits)
are facts worth knowing about real data, not reasons to stop. The checks on labels depend on the
task and live in `data.label_checks`; a version without a validation split fails (training needs it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emoai_core.data.report import FAIL, PASS, WARN, Check, ValidationReport, rows_where
from emoai_core.data.stats import duplicates, shared_texts
from emoai_core.data.versions import label_column
from emoai_core.model.labels import MULTI_LABEL

if TYPE_CHECKING:
    from emoai_core.data.versions import DataVersion

__all__ = ["FAIL", "PASS", "WARN", "Check", "ValidationReport", "validate"]


def _schema(dv: DataVersion) -> tuple[Check, dict]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    column, multi = label_column(dv.task), dv.task == MULTI_LABEL
    wanted = f"text: string, {column}: " + ("list<string>" if multi else "string")
    splits, problems = {}, []
    for split, info in dv.manifest.get("splits", {}).items():
        try:
            table = pq.read_table(dv.split_path(split))
        except Exception as exc:  # noqa: BLE001 - any unreadable file is a schema failure
            problems.append(f"{split}: unreadable ({type(exc).__name__})")
            continue
        types = {f.name: f.type for f in table.schema}
        kind = types.get(column)
        label_ok = (
            kind is not None and pa.types.is_list(kind) and pa.types.is_string(kind.value_type)
            if multi
            else kind is not None and pa.types.is_string(kind)
        )
        if not (types.get("text") is not None and pa.types.is_string(types["text"]) and label_ok):
            found = ", ".join(f"{k}: {v}" for k, v in types.items())
            problems.append(f"{split}: columns {{{found}}}, expected {wanted}")
            continue
        if table.num_rows != info.get("rows"):
            problems.append(f"{split}: {table.num_rows} rows, manifest says {info.get('rows')}")
        labels = table.column(column).to_pylist()
        splits[split] = (table.column("text").to_pylist(), [v or [] for v in labels] if multi else labels)
    if "train" not in dv.manifest.get("splits", {}):
        problems.append("no train split")
    if problems:
        return Check("schema", FAIL, "; ".join(problems)), splits
    return Check("schema", PASS, f"splits {', '.join(splits)} with columns {wanted}"), splits


def _validation_split(dv: DataVersion) -> Check:
    splits = dv.manifest.get("splits", {})
    if "validation" in splits:
        return Check("validation_split", PASS, f"{splits['validation']['rows']:,} validation rows")
    return Check(
        "validation_split",
        FAIL,
        "no validation split: training has nothing to pick its best epoch on",
        hint=f"pull the source again (emoai data pull {dv.manifest.get('source') or 'SOURCE'} --name {dv.name}): "
        "a validation split is carved from train",
    )


def _empty_text(splits: dict) -> Check:
    n, ex = rows_where(splits, lambda t, _: t is None or not str(t).strip())
    return Check(
        "empty_text",
        FAIL if n else PASS,
        f"{n} empty or whitespace-only texts" if n else "no empty texts",
        ex,
    )


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
    """The checks that make sense for the version's task (single-label or multi-label)."""
    from emoai_core.data.label_checks import label_checks

    schema, splits = _schema(dv)
    if schema.status == FAIL:
        return ValidationReport(dv.ref, [schema])
    names = list(dv.manifest.get("label_names", []))
    checks = [
        schema,
        _validation_split(dv),
        _empty_text(splits),
        *label_checks(splits, names, dv.task),
        _duplicates(splits),
        _shared(splits),
    ]
    return ValidationReport(dv.ref, checks)
