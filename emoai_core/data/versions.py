"""Data versions: normalise a source to parquet under EMOAI_HOME/data/NAME/VERSION/, content-addressed.

VERSION is a hash of the normalised content, so pulling the same data twice gives the same
version and stores nothing twice; a version folder appears only once it is complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emoai_core.base.errors import NotFoundError, UsageError, close_matches
from emoai_core.base.events import LogEvent, ProgressEvent, emit
from emoai_core.base.settings import DEFAULT_DATA_NAME, load_settings
from emoai_core.data.sources import Columns, RawData, read_source
from emoai_core.model.labels import LabelMap

SPLITS = ("train", "validation", "test")
MANIFEST = "manifest.json"
VERSION_CHARS = 12
HOLDOUT = 0.1  # validation and test share of a train-only source


@dataclass(frozen=True)
class DataVersion:
    """One stored, immutable data version."""

    name: str
    version: str
    path: Path
    manifest: dict[str, Any]

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def label_map(self) -> LabelMap:
        return LabelMap.from_names(self.manifest["label_names"])

    @property
    def rows(self) -> dict[str, int]:
        return {s: v["rows"] for s, v in self.manifest["splits"].items()}

    def split_path(self, split: str) -> Path:
        if split not in self.manifest["splits"]:
            raise UsageError(
                f"{self.ref} has no '{split}' split", f"splits: {', '.join(self.manifest['splits'])}"
            )
        return self.path / self.manifest["splits"][split]["file"]

    def read_split(self, split: str) -> tuple[list[str], list[str | None]]:
        import pyarrow.parquet as pq

        table = pq.read_table(self.split_path(split))
        return table.column("text").to_pylist(), table.column("label").to_pylist()


@dataclass
class PullResult:
    version: DataVersion
    created: bool  # False: the same content was already stored


# ---------------------------------------------------------------- normalising


def _label_value(value: Any, names: list[str] | None, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple | dict):
        raise UsageError(
            f"{where}: label {value!r} is a list; multi-label data is not supported",
            "emoai trains single-label classifiers: one label per text",
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if names is None:
            raise UsageError(
                f"{where}: integer label {value} but no label names",
                "pass --label-names a,b,c or put a labels.txt next to the data",
            )
        if not 0 <= value < len(names):
            return str(value)  # kept as is: validation reports it outside the label set
        return names[value]
    text = str(value).strip()
    return text or None


def _text_value(value: Any) -> str:
    return "" if value is None else str(value)


def _normalise(raw: RawData) -> tuple[dict[str, tuple[list[str], list[str | None]]], list[str]]:
    splits = {}
    for split, data in raw.splits.items():
        texts = [_text_value(t) for t in data.texts]
        labels = [_label_value(v, raw.label_names, f"{split} row {i + 1}") for i, v in enumerate(data.labels)]
        splits[split] = (texts, labels)
    if not any(splits[s][0] for s in splits):
        raise UsageError(
            f"{raw.source}: the dataset is empty (no rows)", "check the file or the column names"
        )
    names = raw.label_names or sorted(
        {lab for _, labels in splits.values() for lab in labels if lab is not None}
    )
    return splits, names


def _split_train(
    texts: list[str], labels: list[str | None], seed: int, on_event: Callable | None
) -> dict[str, tuple[list[str], list[str | None]]]:
    """A seeded stratified 80/10/10 split for sources that only have training data."""
    from sklearn.model_selection import train_test_split

    if len(texts) < 10:
        raise UsageError(
            f"only {len(texts)} rows: too few to split into train/validation/test",
            "provide at least 10 rows, or separate split files",
        )
    index = list(range(len(texts)))
    strata = [lab if lab is not None else "\0missing" for lab in labels]
    counts = Counter(strata)
    holdout = max(1, round(len(texts) * HOLDOUT))  # whole rows: 600 rows split exactly 480/60/60
    stratify = strata if min(counts.values()) >= 3 and holdout >= len(counts) else None
    if stratify is None:
        emit(on_event, LogEvent("too few rows per label to stratify: splitting at random", "warning"))
    rest, test = train_test_split(index, test_size=holdout, random_state=seed, stratify=stratify)
    rest_strata = [strata[i] for i in rest] if stratify else None
    train, val = train_test_split(rest, test_size=holdout, random_state=seed, stratify=rest_strata)

    def pick(ids: list[int]) -> tuple[list[str], list[str | None]]:
        ids = sorted(ids)
        return [texts[i] for i in ids], [labels[i] for i in ids]

    return {"train": pick(train), "validation": pick(val), "test": pick(test)}


def content_version(splits: dict[str, tuple[list[str], list[str | None]]], names: list[str]) -> str:
    """The content hash that names a version (independent of file formats and parquet bytes)."""
    digest = hashlib.sha256()
    digest.update(json.dumps(names).encode())
    for split in sorted(splits):
        digest.update(f"\n#{split}\n".encode())
        texts, labels = splits[split]
        for text, label in zip(texts, labels, strict=True):
            digest.update(json.dumps([text, label], ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()[:VERSION_CHARS]


# ---------------------------------------------------------------- storing


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_split(path: Path, texts: list[str], labels: list[str | None]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"text": pa.array(texts, pa.string()), "label": pa.array(labels, pa.string())})
    pq.write_table(table, path)


def _store(
    name: str, version: str, splits: dict, names: list[str], meta: dict, on_event: Callable | None
) -> Path:
    from emoai_core.base.atomic import atomic_dir

    target = load_settings().data_dir / name / version
    with atomic_dir(target) as tmp:
        manifest_splits = {}
        for i, split in enumerate(s for s in SPLITS if s in splits):
            texts, labels = splits[split]
            file = f"{split}.parquet"
            _write_split(tmp / file, texts, labels)
            counts = Counter(lab for lab in labels if lab is not None)
            manifest_splits[split] = {
                "rows": len(texts),
                "label_counts": {n: counts.get(n, 0) for n in names}
                | {k: v for k, v in counts.items() if k not in names},
                "file": file,
                "sha256": _sha256(tmp / file),
            }
            emit(on_event, ProgressEvent("write", i + 1, len(splits), "writing parquet"))
        manifest = {"name": name, "version": version, **meta, "label_names": names, "splits": manifest_splits}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return target


def default_name(source: str) -> str:
    """`dair-ai/emotion` and `../data/emotion/` both become `emotion`; files lose their suffix."""
    import re

    stem = Path(source.rstrip("/")).stem if Path(source).suffix else Path(source.rstrip("/")).name
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "data"
    return name.lower()


def check_name(name: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
        raise UsageError(f"invalid data name '{name}'", "use letters, digits, '.', '_' and '-'")
    return name


def pull(
    source: str | None = None,
    name: str | None = None,
    text_col: str = "text",
    label_col: str = "label",
    label_names: list[str] | None = None,
    seed: int = 0,
    on_event: Callable | None = None,
) -> PullResult:
    """Read `source`, normalise it and store it as a content-addressed version of `name`."""
    source = source or load_settings().data_source
    name = check_name(name or default_name(source))

    def progress(file: str, rows: int) -> None:
        emit(on_event, ProgressEvent("read", 0, None, f"read {rows:,} rows from {file}"))

    emit(on_event, ProgressEvent("read", 0, None, f"reading {source}"))
    raw = read_source(source, Columns(text_col, label_col), label_names, progress)
    emit(on_event, ProgressEvent("read", 1, 1, f"reading {source}"))
    splits, names = _normalise(raw)
    strategy = "source"
    if set(splits) == {"train"}:
        splits = _split_train(*splits["train"], seed=seed, on_event=on_event)
        strategy = f"stratified 80/10/10, seed {seed}"
    version = content_version(splits, names)
    existing = load_settings().data_dir / name / version / MANIFEST
    if existing.is_file():
        return PullResult(load_version(name, version), created=False)
    meta = {
        "source": raw.source,
        "source_kind": raw.kind,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "columns": {"text": text_col, "label": label_col},
        "split_strategy": strategy,
    }
    path = _store(name, version, splits, names, meta, on_event)
    return PullResult(
        DataVersion(name, version, path, json.loads((path / MANIFEST).read_text())), created=True
    )


# ---------------------------------------------------------------- finding


def load_version(name: str, version: str) -> DataVersion:
    path = load_settings().data_dir / name / version
    return DataVersion(name, version, path, json.loads((path / MANIFEST).read_text()))


def list_versions(name: str | None = None) -> list[DataVersion]:
    """Stored versions, newest first (half-written temporary folders are never listed)."""
    root = load_settings().data_dir
    found = []
    for manifest in root.glob("*/*/" + MANIFEST) if root.is_dir() else []:
        if manifest.parent.name.startswith(".") or (name and manifest.parent.parent.name != name):
            continue
        try:
            found.append(
                DataVersion(
                    manifest.parent.parent.name,
                    manifest.parent.name,
                    manifest.parent,
                    json.loads(manifest.read_text()),
                )
            )
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda v: (v.manifest.get("created", ""), v.version), reverse=True)


def resolve_version(ref: str | None = None) -> DataVersion:
    """`NAME` (its latest version), `NAME@VERSION` (a unique prefix is enough), or None (latest emotion)."""
    ref = (ref or DEFAULT_DATA_NAME).strip()
    name, _, version = ref.partition("@")
    versions = list_versions()
    mine = [v for v in versions if v.name == name]
    if not mine:
        names = sorted({v.name for v in versions})
        if not names:
            raise NotFoundError(
                f"no data version named '{name}' (nothing pulled yet)", hint="pull one first: emoai data pull"
            )
        near = close_matches(name, names)
        raise NotFoundError(
            f"no data version named '{name}'",
            hint=None if near else f"pulled: {', '.join(names)}",
            matches=near,
        )
    if not version:
        return mine[0]
    matches = [v for v in mine if v.version.startswith(version)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFoundError(
            f"{name} has no version '{version}'", hint=f"versions: {', '.join(v.version for v in mine)}"
        )
    raise UsageError(f"version prefix '{version}' of {name} is ambiguous", "use more characters")


# ---------------------------------------------------------------- describing


def _percentiles(values: list[int]) -> dict[str, float]:
    import numpy as np

    if not values:
        return {}
    arr = np.asarray(values)
    return {f"p{p}": float(np.percentile(arr, p)) for p in (5, 25, 50, 75, 95)} | {"max": int(arr.max())}


def duplicates(texts: list[str]) -> dict[str, int]:
    counts = Counter(texts)
    return {
        "extra_copies": sum(c - 1 for c in counts.values()),
        "distinct_texts": sum(1 for c in counts.values() if c > 1),
    }


def shared_texts(split_texts: dict[str, list[str]]) -> dict[str, int]:
    """Distinct texts that appear in two splits, per pair (e.g. 'train&test')."""
    sets = {s: set(t) for s, t in split_texts.items()}
    names = [s for s in SPLITS if s in sets]
    return {f"{a}&{b}": len(sets[a] & sets[b]) for i, a in enumerate(names) for b in names[i + 1 :]}


def describe(dv: DataVersion) -> dict[str, Any]:
    """What `emoai data show` prints: rows, label counts, text lengths, duplicates, overlaps."""
    texts = {}
    splits = {}
    for split in dv.manifest["splits"]:
        split_texts, _ = dv.read_split(split)
        texts[split] = split_texts
        splits[split] = {
            "rows": dv.manifest["splits"][split]["rows"],
            "label_counts": dv.manifest["splits"][split]["label_counts"],
            "words": _percentiles([len(t.split()) for t in split_texts]),
            "duplicates": duplicates(split_texts),
        }
    return {
        "name": dv.name,
        "version": dv.version,
        "ref": dv.ref,
        "source": dv.manifest.get("source"),
        "created": dv.manifest.get("created"),
        "label_names": dv.manifest["label_names"],
        "split_strategy": dv.manifest.get("split_strategy"),
        "path": str(dv.path),
        "splits": splits,
        "shared_texts": shared_texts(texts),
    }


def validate_version(dv: DataVersion) -> Any:
    """See `emoai_core.data.checks.validate` (kept here so callers import one module)."""
    from emoai_core.data.checks import validate

    return validate(dv)


__all__ = [
    "DataVersion",
    "PullResult",
    "describe",
    "list_versions",
    "pull",
    "resolve_version",
    "validate_version",
]
