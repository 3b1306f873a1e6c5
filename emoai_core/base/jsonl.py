"""JSON Lines records, read the same way wherever a user hands emoai a .jsonl file.

Data pulls and `emoai predict --file` both point at the file and line of a malformed record;
one reader keeps their messages and their rules (blank lines skipped, objects only) the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError

SUFFIXES = (".jsonl", ".json", ".ndjson")


def records(text: str, path: Path | str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; a UsageError naming the line otherwise."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}: line {lineno}: malformed JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise UsageError(f"{path}: line {lineno}: expected a JSON object, got {type(record).__name__}")
        yield lineno, record
