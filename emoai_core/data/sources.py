"""Reading a data source — a Hugging Face dataset id or a local file or folder — into plain rows.

Every reader returns the same shape (split → texts and raw labels, plus label names when the
source has them), so normalising, versioning and validation never care where data came from.
Malformed input fails here with the file and line, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UnreachableError, UsageError

FORMATS = {
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".txt": "txt",
}
SPLIT_NAMES = {
    "train": "train",
    "validation": "validation",
    "val": "validation",
    "valid": "validation",
    "dev": "validation",
    "test": "test",
}
LABEL_NAME_FILES = ("labels.txt", "label_names.txt", "emotions.txt")


@dataclass
class RawSplit:
    texts: list[Any] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)


@dataclass
class RawData:
    """What a source holds, before normalisation."""

    splits: dict[str, RawSplit]
    label_names: list[str] | None
    source: str
    kind: str  # "hub" | "file" | "folder"


@dataclass(frozen=True)
class Columns:
    text: str = "text"
    label: str = "label"


ProgressFn = Callable[[str, int], None]


def is_local(source: str) -> bool:
    """An existing path, or something spelled like one, is local; anything else is a hub id."""
    path = Path(source).expanduser()
    if path.exists():
        return True
    return source.startswith((".", "/", "~")) or path.suffix.lower() in FORMATS or source.count("/") > 1


def read_source(
    source: str, columns: Columns, label_names: list[str] | None, progress: ProgressFn | None = None
) -> RawData:
    if is_local(source):
        path = Path(source).expanduser()
        if not path.exists():
            raise UsageError(
                f"no such file or directory: {source}",
                "pass a jsonl/csv/parquet/txt file, a folder of split files, or a hub id",
            )
        if path.is_dir():
            return _read_folder(path, columns, label_names, progress)
        split = _read_file(path, columns, progress)
        return RawData({"train": split}, label_names or _label_file(path.parent), str(path.resolve()), "file")
    return _read_hub(source, columns, label_names, progress)


def _label_file(folder: Path) -> list[str] | None:
    for name in LABEL_NAME_FILES:
        candidate = folder / name
        if candidate.is_file():
            names = [line.strip() for line in _decode(candidate).splitlines() if line.strip()]
            return names or None
    return None


def _read_folder(
    folder: Path, columns: Columns, label_names: list[str] | None, progress: ProgressFn | None
) -> RawData:
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        split = SPLIT_NAMES.get(path.stem.lower())
        if split is None or path.suffix.lower() not in FORMATS or not path.is_file():
            continue
        if split in found:
            raise UsageError(
                f"two files for the {split} split in {folder}: {found[split].name} and {path.name}",
                "keep one file per split",
            )
        found[split] = path
    if "train" not in found:
        listed = ", ".join(p.name for p in sorted(folder.iterdir())[:10]) or "nothing"
        raise UsageError(
            f"no train split in {folder} (found: {listed})",
            "name the files train.*, validation.* (or val/dev), test.* with a .jsonl/.csv/.parquet/.txt suffix",
        )
    splits = {split: _read_file(path, columns, progress) for split, path in found.items()}
    return RawData(splits, label_names or _label_file(folder), str(folder.resolve()), "folder")


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(
            f"{path}: line {line}: bytes are not valid UTF-8 (0x{data[exc.start]:02x} at byte {exc.start})",
            "re-encode the file as UTF-8",
        ) from None


def _read_file(path: Path, columns: Columns, progress: ProgressFn | None) -> RawSplit:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"unknown format: {path.name}", "use .jsonl, .csv, .tsv, .parquet or .txt (text;label)"
        )
    reader = {
        "jsonl": _read_jsonl,
        "csv": _read_csv,
        "tsv": _read_csv,
        "parquet": _read_parquet,
        "txt": _read_txt,
    }[fmt]
    split = reader(path, columns) if fmt != "tsv" else _read_csv(path, columns, delimiter="\t")
    if progress:
        progress(path.name, len(split.texts))
    return split


def _missing_column(path: Path, column: str, found: list[str], option: str) -> UsageError:
    return UsageError(
        f"{path}: no column '{column}' (columns found: {', '.join(map(str, found)) or 'none'})",
        f"name the column with {option}",
    )


def _read_jsonl(path: Path, columns: Columns) -> RawSplit:
    from emoai_core.base.jsonl import records

    split = RawSplit()
    checked = False
    for _, record in records(_decode(path), path):
        if not checked:
            for column, option in ((columns.text, "--text-col"), (columns.label, "--label-col")):
                if column not in record:
                    raise _missing_column(path, column, list(record), option)
            checked = True
        split.texts.append(record.get(columns.text))
        split.labels.append(record.get(columns.label))
    return split


def _read_csv(path: Path, columns: Columns, delimiter: str = ",") -> RawSplit:
    import csv
    import io

    split = RawSplit()
    reader = csv.reader(io.StringIO(_decode(path), newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return split
    except csv.Error as exc:
        raise UsageError(f"{path}: line 1: malformed CSV ({exc})") from None
    for column, option in ((columns.text, "--text-col"), (columns.label, "--label-col")):
        if column not in header:
            raise _missing_column(path, column, header, option)
    ti, li = header.index(columns.text), header.index(columns.label)
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise UsageError(
                    f"{path}: line {reader.line_num}: malformed CSV row ({len(row)} fields, the header has {len(header)})",
                    "quote fields that contain the delimiter",
                )
            split.texts.append(row[ti])
            split.labels.append(row[li] if row[li] != "" else None)
    except csv.Error as exc:
        raise UsageError(f"{path}: line {reader.line_num}: malformed CSV ({exc})") from None
    return split


def _read_parquet(path: Path, columns: Columns) -> RawSplit:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise UsageError(f"{path}: not a readable parquet file ({str(exc).splitlines()[0][:200]})") from None
    for column, option in ((columns.text, "--text-col"), (columns.label, "--label-col")):
        if column not in table.column_names:
            raise _missing_column(path, column, table.column_names, option)
    return RawSplit(table.column(columns.text).to_pylist(), table.column(columns.label).to_pylist())


def _read_txt(path: Path, columns: Columns) -> RawSplit:
    """`text;label` lines (the format of the original emotion files); split on the last ';'."""
    split = RawSplit()
    for lineno, line in enumerate(_decode(path).splitlines(), start=1):
        if not line.strip():
            continue
        text, sep, label = line.rpartition(";")
        if not sep:
            raise UsageError(f"{path}: line {lineno}: malformed line, expected 'text;label'")
        split.texts.append(text)
        split.labels.append(label.strip() or None)
    return split


def _read_hub(
    source: str, columns: Columns, label_names: list[str] | None, progress: ProgressFn | None
) -> RawData:
    from emoai_core.base.quiet import quiet_libraries

    quiet_libraries()
    import datasets

    try:
        loaded = datasets.load_dataset(source)
    except ConnectionError as exc:
        raise UnreachableError(
            f"cannot reach the Hugging Face hub for '{source}' ({str(exc).splitlines()[0][:160]})",
            "pass a local copy instead: emoai data pull ./path/to/data (or set EMOAI_DATA_SOURCE)",
        ) from None
    except (FileNotFoundError, ValueError) as exc:
        raise UsageError(f"cannot load '{source}' from the hub: {str(exc).splitlines()[0][:200]}") from None
    splits: dict[str, RawSplit] = {}
    names = label_names
    for split_name, ds in loaded.items():
        split = SPLIT_NAMES.get(split_name.lower())
        if split is None:
            continue
        for column, option in ((columns.text, "--text-col"), (columns.label, "--label-col")):
            if column not in ds.column_names:
                raise UsageError(
                    f"{source} [{split_name}]: no column '{column}' (columns found: "
                    f"{', '.join(ds.column_names)})",
                    f"name the column with {option}",
                )
        feature = ds.features[columns.label]
        if names is None and hasattr(feature, "names"):
            names = list(feature.names)
        splits[split] = RawSplit(list(ds[columns.text]), list(ds[columns.label]))
        if progress:
            progress(split_name, len(ds))
    if "train" not in splits:
        raise UsageError(f"{source} has no train split (splits: {', '.join(loaded)})")
    return RawData(splits, names, source, "hub")
