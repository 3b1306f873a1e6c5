"""File readers: jsonl, csv/tsv (with or without a header), parquet and `text;label` txt.

Each returns a `RawSplit` (texts and raw label values, as the file holds them) and names the
label column it used. Malformed input fails here with the file and line, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError

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
LABEL_COLUMNS = ("label", "labels")  # looked for in this order when no label column is named
_CSV_HINT = 'quote fields that hold the delimiter or a line break ("…")'
FORMAT_HINT = "use .jsonl, .csv, .tsv, .parquet or .txt (text;label)"

ProgressFn = Callable[[str, int], None]


@dataclass
class RawSplit:
    texts: list[Any] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    label_column: str | None = None  # the column the labels came from (None: a text;label file)


@dataclass(frozen=True)
class Columns:
    """Which columns hold the text and the label, and the names of a headerless file's columns.

    `label` None means: `label`, else `labels` when the file has no `label` column.
    `names` set means the csv/tsv files have no header row; their columns get these names.
    """

    text: str = "text"
    label: str | None = None
    names: tuple[str, ...] | None = None

    @property
    def header(self) -> bool:
        return self.names is None


def pick_label_column(columns: Columns, found: list[str], where: str) -> str:
    if columns.label is not None:
        if columns.label not in found:
            raise missing_column(where, columns.label, found, "--label-col")
        return columns.label
    for candidate in LABEL_COLUMNS:
        if candidate in found:
            return candidate
    raise missing_column(where, LABEL_COLUMNS[0], found, "--label-col")


def missing_column(where: str, column: str, found: list[str], option: str) -> UsageError:
    return UsageError(
        f"{where}: no column '{column}' (columns found: {', '.join(map(str, found)) or 'none'})",
        f"name the column with {option}",
    )


def _columns_of(columns: Columns, found: list[str], where: str) -> tuple[str, str]:
    if columns.text not in found:
        raise missing_column(where, columns.text, found, "--text-col")
    return columns.text, pick_label_column(columns, found, where)


def decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsageError(
            f"{path}: line {line}: bytes are not valid UTF-8 (0x{data[exc.start]:02x} at byte {exc.start})",
            "re-encode the file as UTF-8",
        ) from None


def read_names_file(path: Path) -> list[str]:
    """One label name per line (blank lines skipped); line i is class id i."""
    return [line.strip() for line in decode(path).splitlines() if line.strip()]


def read_file(path: Path, columns: Columns, progress: ProgressFn | None = None) -> RawSplit:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"unknown format: {path.name}", FORMAT_HINT)
    if not columns.header and fmt in ("jsonl", "parquet"):
        raise UsageError(
            f"{path.name}: --no-header/--columns apply to csv and tsv files, not {fmt}",
            "drop --no-header and --columns; name the columns with --text-col and --label-col",
        )
    if fmt in ("csv", "tsv"):
        split = _read_csv(path, columns, delimiter="\t" if fmt == "tsv" else ",")
    else:
        split = {"jsonl": _read_jsonl, "parquet": _read_parquet, "txt": _read_txt}[fmt](path, columns)
    if progress:
        progress(path.name, len(split.texts))
    return split


def _read_jsonl(path: Path, columns: Columns) -> RawSplit:
    from emoai_core.base.jsonl import records

    split = RawSplit()
    text_col = label_col = None
    for _, record in records(decode(path), path):
        if text_col is None:
            text_col, label_col = _columns_of(columns, list(record), str(path))
            split.label_column = label_col
        split.texts.append(record.get(text_col))
        split.labels.append(record.get(label_col))
    return split


def _read_csv(path: Path, columns: Columns, delimiter: str = ",") -> RawSplit:
    import csv
    import io

    split = RawSplit()
    reader = csv.reader(io.StringIO(decode(path), newline=""), delimiter=delimiter)
    if columns.header:
        try:
            header = next(reader)
        except StopIteration:
            return split
        except csv.Error as exc:
            raise UsageError(f"{path}: line 1: malformed CSV ({exc})", _CSV_HINT) from None
        what = "the header has"
    else:
        header, what = list(columns.names or ()), "--columns names"
    text_col, label_col = _columns_of(columns, header, str(path))
    split.label_column = label_col
    ti, li = header.index(text_col), header.index(label_col)
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                hint = (
                    "quote fields that contain the delimiter"
                    if columns.header
                    else f"name every column with --columns (this row has {len(row)})"
                )
                raise UsageError(
                    f"{path}: line {reader.line_num}: malformed CSV row ({len(row)} fields, {what} {len(header)})",
                    hint,
                )
            split.texts.append(row[ti])
            split.labels.append(row[li] if row[li] != "" else None)
    except csv.Error as exc:
        raise UsageError(f"{path}: line {reader.line_num}: malformed CSV ({exc})", _CSV_HINT) from None
    return split


def _read_parquet(path: Path, columns: Columns) -> RawSplit:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise UsageError(
            f"{path}: not a readable parquet file ({str(exc).splitlines()[0][:200]})",
            "check the file (written by pandas or pyarrow?), or pass a csv/jsonl copy",
        ) from None
    text_col, label_col = _columns_of(columns, table.column_names, str(path))
    return RawSplit(table.column(text_col).to_pylist(), table.column(label_col).to_pylist(), label_col)


def _read_txt(path: Path, columns: Columns) -> RawSplit:
    """`text;label` lines (the format of the original emotion files); split on the last ';'."""
    split = RawSplit()
    for lineno, line in enumerate(decode(path).splitlines(), start=1):
        if not line.strip():
            continue
        text, sep, label = line.rpartition(";")
        if not sep:
            raise UsageError(
                f"{path}: line {lineno}: malformed line, expected 'text;label'",
                "one 'text;label' per line (the label follows the last ';'), or use csv/tsv/jsonl",
            )
        split.texts.append(text)
        split.labels.append(label.strip() or None)
    return split
