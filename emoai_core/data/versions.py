"""Data versions: normalised splits stored as parquet under EMOAI_HOME/data/NAME/VERSION/.

VERSION is a hash of the normalised content, so pulling the same data twice gives the same
version and stores nothing twice; a version folder appears only once it is complete.

The manifest's `task` says what a row's label is: `single_label` (column `label: string`, one
name or null) or `multi_label` (column `labels: list<string>`, any number of names, sorted).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emoai_core.base.errors import NotFoundError, UsageError, close_matches
from emoai_core.base.events import ProgressEvent, emit
from emoai_core.base.settings import DEFAULT_DATA_NAME, paths
from emoai_core.model.labels import MULTI_LABEL, SINGLE_LABEL, LabelMap

SPLITS = ("train", "validation", "test")
MANIFEST = "manifest.json"
VERSION_CHARS = 12

# A row's label: one name (or None) for single-label data, a sorted list of names for multi-label
Label = str | None | list[str]
# split -> (texts, labels): the normalised form every reader's output is turned into
Splits = dict[str, tuple[list[str], list[Label]]]
LABEL_COLUMN = {SINGLE_LABEL: "label", MULTI_LABEL: "labels"}


def label_column(task: str) -> str:
    return LABEL_COLUMN[task]


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
    def task(self) -> str:
        return self.manifest.get("task") or SINGLE_LABEL

    @property
    def label_map(self) -> LabelMap:
        return LabelMap.from_names(self.manifest["label_names"], self.task)

    @property
    def rows(self) -> dict[str, int]:
        return {s: v["rows"] for s, v in self.manifest["splits"].items()}

    def split_path(self, split: str) -> Path:
        if split not in self.manifest["splits"]:
            raise UsageError(
                f"{self.ref} has no '{split}' split", f"splits: {', '.join(self.manifest['splits'])}"
            )
        return self.path / self.manifest["splits"][split]["file"]

    def read_split(self, split: str) -> tuple[list[str], list[Label]]:
        """Texts and labels: names (or None) for single-label data, lists of names for multi-label."""
        import pyarrow.parquet as pq

        table = pq.read_table(self.split_path(split))
        labels = table.column(label_column(self.task)).to_pylist()
        if self.task == MULTI_LABEL:
            labels = [list(v or []) for v in labels]
        return table.column("text").to_pylist(), labels


def content_version(splits: Splits, names: list[str], task: str = SINGLE_LABEL) -> str:
    """The content hash that names a version (independent of file formats and parquet bytes).

    Single-label content hashes as it always did, so versions pulled before multi-label data
    existed keep their names.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps(names).encode())
    if task != SINGLE_LABEL:
        digest.update(f"\n@task {task}\n".encode())
    for split in sorted(splits):
        digest.update(f"\n#{split}\n".encode())
        texts, labels = splits[split]
        for text, label in zip(texts, labels, strict=True):
            digest.update(json.dumps([text, label], ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()[:VERSION_CHARS]


def check_name(name: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
        raise UsageError(f"invalid data name '{name}'", "use letters, digits, '.', '_' and '-'")
    return name


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_split(path: Path, texts: list[str], labels: list[Label], task: str = SINGLE_LABEL) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    kind = pa.string() if task == SINGLE_LABEL else pa.list_(pa.string())
    table = pa.table({"text": pa.array(texts, pa.string()), label_column(task): pa.array(labels, kind)})
    pq.write_table(table, path)


def label_counts(labels: list[Label], names: list[str]) -> dict[str, int]:
    """Rows per label (a multi-label row counts once for each of its labels); unknown names last."""
    counts: Counter[str] = Counter()
    for label in labels:
        if isinstance(label, list):
            counts.update(set(label))
        elif label is not None:
            counts[label] += 1
    return {n: counts.get(n, 0) for n in names} | {k: v for k, v in counts.items() if k not in names}


def store(
    name: str,
    version: str,
    splits: Splits,
    names: list[str],
    meta: dict,
    on_event: Callable | None,
    task: str = SINGLE_LABEL,
) -> DataVersion:
    """Write the version's parquet files and manifest; the folder appears only when complete."""
    from emoai_core.base.atomic import atomic_dir

    target = paths().data_version(name, version)
    with atomic_dir(target) as tmp:
        manifest_splits = {}
        for i, split in enumerate(s for s in SPLITS if s in splits):
            texts, labels = splits[split]
            file = f"{split}.parquet"
            _write_split(tmp / file, texts, labels, task)
            manifest_splits[split] = {
                "rows": len(texts),
                "label_counts": label_counts(labels, names),
                "file": file,
                "sha256": _sha256(tmp / file),
            }
            emit(on_event, ProgressEvent("write", i + 1, len(splits), "writing parquet"))
        manifest = {
            "name": name,
            "version": version,
            **meta,
            "task": task,
            "label_names": names,
            "splits": manifest_splits,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return load_version(name, version)


def is_stored(name: str, version: str) -> bool:
    return (paths().data_version(name, version) / MANIFEST).is_file()


def load_version(name: str, version: str) -> DataVersion:
    path = paths().data_version(name, version)
    return DataVersion(name, version, path, json.loads((path / MANIFEST).read_text()))


def list_versions(name: str | None = None) -> list[DataVersion]:
    """Stored versions, newest first (half-written temporary folders are never listed)."""
    root = paths().data
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
