"""Texts to predict, from arguments, stdin or a file (txt one per line, csv, jsonl).

Light on purpose (csv and json only): it sits on `emoai predict`'s fast path.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from emoai_core.base.errors import UsageError
from emoai_core.base.jsonl import SUFFIXES, records


def check_texts(texts: list[str]) -> list[str]:
    if not texts:
        raise UsageError(
            "no text given", 'pass texts (emoai predict "i feel great"), --file FILE, or - for stdin'
        )
    for i, text in enumerate(texts, start=1):
        if not text.strip():
            raise UsageError(f"text {i} is empty", "every text must contain something to classify")
    return texts


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"file not found: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a file") from None
    except (PermissionError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def read_file(path: Path, text_col: str = "text") -> list[str]:
    """Non-empty texts of a txt (one per line), csv/tsv or jsonl file."""
    path = Path(path)
    content = _read(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        reader = csv.DictReader(io.StringIO(content), delimiter="\t" if suffix == ".tsv" else ",")
        if text_col not in (reader.fieldnames or []):
            raise UsageError(
                f"{path}: no column '{text_col}' (columns found: {', '.join(reader.fieldnames or [])})",
                "name the text column with --text-col",
            )
        return [row[text_col] for row in reader if (row.get(text_col) or "").strip()]
    if suffix in SUFFIXES:
        texts = []
        for lineno, record in records(content, path):
            if text_col not in record:
                raise UsageError(
                    f"{path}: line {lineno}: no column '{text_col}' (columns found: {', '.join(record)})",
                    "name the text column with --text-col",
                )
            texts.append(str(record[text_col]))
        return [t for t in texts if t.strip()]
    return [line for line in content.splitlines() if line.strip()]


def read_stdin(stream: io.TextIOBase) -> list[str]:
    return [line.rstrip("\n") for line in stream if line.strip()]
