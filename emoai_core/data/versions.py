"""Data versions: normalised splits stored as parquet under EMOAI_HOME/data/NAME/VERSION/.

VERSION is a hash of the normalised content, so pulling the same data twice gives the same
version and stores nothing twice; a version folder appears only once it is complete.
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
from emoai_core.model.labels import LabelMap

SPLITS = ("train", "validation", "test")
MANIFEST = "manifest.json"
VERSION_CHARS = 12

# split -> (texts, labels): the normalised form every reader's output is turned into
Splits = dict[str, tuple[list[str], list[str | None]]]


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


def content_version(splits: Splits, names: list[str]) -> str:
    """The content hash that names a version (independent of file formats and parquet bytes)."""
    digest = hashlib.sha256()
    digest.update(json.dumps(names).encode())
    for split in sorted(splits):
        digest.update(f"\n#{split}\n".encode())
        texts, labels = splits[split]
        for text, label in zip(texts, labels, strict=True):
            digest.update(json.dumps([text, label], ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()[:VERSION_CHARS]


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


def store(
    name: str, version: str, splits: Splits, names: list[str], meta: dict, on_event: Callable | None
) -> DataVersion:
    """Write the version's parquet files and manifest; the folder appears only when complete."""
    from emoai_core.base.atomic import atomic_dir

    target = paths().data_version(name, version)
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
