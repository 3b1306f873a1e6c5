"""The prediction log's writer: off the request path, bounded in memory and on disk, never failing.

A request only puts one item on a bounded queue (`put` never blocks and never raises: a full
queue drops the item and counts it). One daemon thread turns items into JSON lines (`render` may
do real work there, e.g. tokenising) and appends them in batches, one write call per batch. Each
writer has its own file, so replicas never interleave lines; a file is closed and a new one begun
once it passes a size or an age, and the oldest files of the folder are deleted while the folder
holds more than its byte budget. A write that fails (full disk, permissions, a vanished folder)
drops that batch, counts it, and is retried after a pause; the requests never notice.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

PREFIX = "predictions-"
SUFFIX = ".jsonl"


@dataclass(frozen=True)
class LogLimits:
    max_queue: int = 10_000  # items waiting in memory
    batch: int = 512  # items written per write call at most
    flush_s: float = 1.0  # an item waits at most this long before it is written
    file_bytes: int = 16 * 2**20  # a file is closed past this size ...
    file_age_s: float = 3600.0  # ... or this age
    total_bytes: int = 256 * 2**20  # the folder's budget: oldest files go first
    retry_s: float = 5.0  # after a failed write, wait this long before opening a file again


@dataclass
class LogStats:
    queued: int = 0
    written: int = 0
    dropped: int = 0  # the queue was full
    failed: int = 0  # lost to write errors
    last_error: str | None = None


def log_files(folder: Path) -> list[Path]:
    """The folder's prediction files, oldest first (names start with their creation time)."""
    try:
        return sorted(p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))
    except OSError:
        return []


def prune(folder: Path, total_bytes: int, keep: Path | None = None) -> list[Path]:
    """Delete the oldest files until the folder's prediction files fit `total_bytes`."""
    files = log_files(folder)
    sizes = {}
    for path in files:
        with contextlib.suppress(OSError):
            sizes[path] = path.stat().st_size
    removed = []
    total = sum(sizes.values())
    for path in files:
        if total <= total_bytes:
            break
        if path == keep or path not in sizes:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
            total -= sizes[path]
    return removed


class PredictionLog:
    """Items in, JSON lines out, from a thread of its own (see the module docstring)."""

    def __init__(
        self,
        folder: Path,
        render: Callable[[Any], Iterable[dict[str, Any]]],
        tag: str = "",
        limits: LogLimits | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.render = render
        self.tag = "".join(c for c in tag if c.isalnum() or c in "-_")[:40] or str(os.getpid())
        self.limits = limits or LogLimits()
        self.stats = LogStats()
        self._queue: queue.Queue[Any] = queue.Queue(self.limits.max_queue)
        self._file: TextIO | None = None
        self._path: Path | None = None
        self._opened = 0.0
        self._retry_at = 0.0
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="emoai-prediction-log", daemon=True)
        self._thread.start()

    # --- the request side: never blocks, never raises ------------------------------------------
    def put(self, item: Any) -> bool:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.stats.dropped += 1
            return False
        self.stats.queued += 1
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (up to `timeout`), then close the file."""
        self._closing.set()
        self._thread.join(timeout)

    # --- the writer thread -----------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            items = self._take()
            if items:
                self._write(items)
            elif self._closing.is_set():
                break
        self._close_file()

    def _take(self) -> list[Any]:
        """The next batch: waits up to flush_s for the first item, then takes what is queued."""
        try:
            first = self._queue.get(timeout=self.limits.flush_s)
        except queue.Empty:
            return []
        items = [first]
        while len(items) < self.limits.batch:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return items

    def _write(self, items: list[Any]) -> None:
        try:
            lines = [json.dumps(r, ensure_ascii=False, default=str) for item in items for r in self.render(item)]
        except Exception as exc:  # noqa: BLE001 - a bad item must not stop the log
            self._fail(len(items), f"render: {type(exc).__name__}: {exc}")
            return
        if time.monotonic() < self._retry_at:
            self._fail(len(items), self.stats.last_error or "waiting to retry")
            return
        try:
            handle = self._current_file()
            handle.write("\n".join(lines) + "\n")
            handle.flush()
        except OSError as exc:  # ENOSPC, EACCES, a folder that vanished: drop, pause, retry later
            self._close_file()
            self._retry_at = time.monotonic() + self.limits.retry_s
            self._fail(len(items), f"{type(exc).__name__}: {exc}")
            return
        self.stats.written += len(items)

    def _fail(self, count: int, error: str) -> None:
        self.stats.failed += count
        self.stats.last_error = error[:300]

    def _current_file(self) -> TextIO:
        if self._file is not None and self._path is not None:
            too_big = self._file.tell() >= self.limits.file_bytes
            too_old = time.monotonic() - self._opened >= self.limits.file_age_s
            if not (too_big or too_old):
                return self._file
            self._close_file()
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"{time.time() % 1:.6f}"[1:]
        self._path = self.folder / f"{PREFIX}{stamp}-{self.tag}{SUFFIX}"
        self._file = open(self._path, "a", encoding="utf-8")  # noqa: SIM115 - kept open across batches
        self._opened = time.monotonic()
        prune(self.folder, self.limits.total_bytes, keep=self._path)
        return self._file

    def _close_file(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
        self._file = None
