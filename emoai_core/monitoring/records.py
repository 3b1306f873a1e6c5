"""The prediction log's records: their fields, and reading them back for a time window.

One JSON line per served text, or per refused request:

    {"t": 1733.2, "model": "run id", "v": "3", "req": "a1b2-17", "n": 2, "ms": 12.5,
     "chars": 41, "tokens": 12, "unk": 0.083, "label": "joy", "labels": ["joy"], "score": 0.97,
     "text": "only with --log-texts"}
    {"t": 1733.4, "model": "run id", "v": "3", "req": "a1b2-18", "ms": 0.4, "status": 422, "error": "empty_text"}

`t` is the time the answer left (seconds since the epoch), `req` names the request (texts of one
request share it, `n` of them), `ms` is the request's latency in the replica, `unk` the share of
the text's WordPiece tokens unknown to the training vocabulary (`monitoring/features.py`), `labels`
only for multi-label models.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError
from emoai_core.monitoring.predlog import log_files

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str) -> float:
    """'90s', '15m', '1h', '2d', '1w' (or a sum, '1h30m') as seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhdw])", text.strip().lower())
    if not parts or re.sub(r"(\d+(?:\.\d+)?)\s*([smhdw])", "", text.strip().lower()).strip():
        raise UsageError(f"--since {text!r} is not a duration", "e.g. 30m, 1h, 2d or 1h30m")
    seconds = sum(float(n) * UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise UsageError(f"--since {text!r} must be longer than nothing")
    return seconds


def read_records(folder: Path, since: float, until: float | None = None) -> Iterator[dict[str, Any]]:
    """Records with since <= t < until from every file that may hold some, oldest file first.

    A line cut short (a writer that died mid-write, or one being written now) is skipped.
    """
    until = time.time() + 1 if until is None else until
    for path in log_files(folder):
        try:
            if path.stat().st_mtime < since:
                continue  # last written before the window opened
            handle = path.open(encoding="utf-8", errors="replace")
        except OSError:
            continue
        with handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and since <= float(record.get("t", 0)) < until:
                    yield record


def is_error(record: dict[str, Any]) -> bool:
    return "status" in record


class LogTail:
    """The records of the last `horizon` seconds, kept up to date by reading only what was appended.

    For a live view polled every few seconds (the dashboard): each `refresh` reads the new bytes of
    every log file once, instead of parsing whole files again.
    """

    def __init__(self, folder: Path, horizon: float) -> None:
        self.folder = Path(folder)
        self.horizon = horizon
        self.offsets: dict[Path, int] = {}
        self.records: list[dict[str, Any]] = []

    def refresh(self, now: float | None = None) -> list[dict[str, Any]]:
        now = time.time() if now is None else now
        since = now - self.horizon
        files = log_files(self.folder)
        for path in files:
            if path not in self.offsets:
                try:
                    if path.stat().st_mtime < since:
                        self.offsets[path] = path.stat().st_size  # nothing recent in it: skip its past
                except OSError:
                    continue
            self._read_new(path)
        self.offsets = {p: o for p, o in self.offsets.items() if p in files}
        self.records = [r for r in self.records if float(r.get("t", 0)) >= since]
        return self.records

    def _read_new(self, path: Path) -> None:
        try:
            with path.open("rb") as handle:
                handle.seek(self.offsets.get(path, 0))
                data = handle.read()
        except OSError:
            return
        complete = data[: data.rfind(b"\n") + 1]  # a line still being written waits for the next refresh
        self.offsets[path] = self.offsets.get(path, 0) + len(complete)
        for line in complete.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                self.records.append(record)
