"""emoai_core.monitoring.predlog: off the request path, bounded, rotated, and never failing a caller."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from emoai_core.monitoring import predlog
from emoai_core.monitoring.predlog import LogLimits, PredictionLog, log_files, prune


def _lines(folder: Path) -> list[dict]:
    return [json.loads(line) for path in log_files(folder) for line in path.read_text().splitlines()]


def _wait(condition, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.02)


def test_items_become_json_lines_written_in_batches(tmp_path):
    writes = []
    log = PredictionLog(tmp_path / "logs", lambda i: [{"i": i}, {"i": -i}], tag="r1", limits=LogLimits(flush_s=0.05))
    real = log._current_file

    def counting():
        handle = real()
        writes.append(1)
        return handle

    log._current_file = counting
    for i in range(1, 101):
        assert log.put(i)
    log.close()
    rows = _lines(tmp_path / "logs")
    assert sorted(r["i"] for r in rows) == sorted([*range(1, 101), *range(-100, 0)])
    assert len(writes) < 100  # batched: far fewer writes than items
    assert log.stats.written == 100 and log.stats.failed == 0 and log.stats.dropped == 0
    assert log_files(tmp_path / "logs")[0].name.endswith("-r1.jsonl")


def test_a_full_queue_drops_instead_of_blocking(tmp_path):
    gate = threading.Event()

    def slow(item):
        gate.wait(10)
        return [{"i": item}]

    log = PredictionLog(tmp_path, slow, limits=LogLimits(max_queue=3, batch=1, flush_s=0.05))
    start = time.perf_counter()
    results = [log.put(i) for i in range(50)]
    assert time.perf_counter() - start < 0.5  # never waits for the writer
    assert results.count(False) >= 45 and log.stats.dropped == results.count(False)
    gate.set()
    log.close()


def test_a_full_disk_loses_lines_not_requests(tmp_path, monkeypatch):
    """Writes go to /dev/full, which answers every write with ENOSPC, as a full disk does."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    monkeypatch.setattr(predlog, "open", lambda *a, **k: Path("/dev/full").open("w"), raising=False)  # noqa: SIM115
    log = PredictionLog(tmp_path, lambda i: [{"i": i}], limits=LogLimits(flush_s=0.02, retry_s=0.05))
    for i in range(20):
        assert log.put(i) is True  # the caller never sees the failure
    _wait(lambda: log.stats.failed >= 20)
    assert "No space left on device" in (log.stats.last_error or "")
    assert log.stats.written == 0
    log.close()


def test_an_unwritable_folder_is_retried_and_recovers(tmp_path):
    blocker = tmp_path / "monitor"
    blocker.write_text("a file where the folder should be")  # mkdir fails (like a permission error)
    log = PredictionLog(blocker / "predictions", lambda i: [{"i": i}], limits=LogLimits(flush_s=0.02, retry_s=0.1))
    log.put(1)
    _wait(lambda: log.stats.failed == 1)
    assert log.stats.last_error and ("NotADirectory" in log.stats.last_error or "FileExists" in log.stats.last_error)
    blocker.unlink()  # the disk is fixed
    time.sleep(0.15)
    log.put(2)
    _wait(lambda: log.stats.written == 1)
    log.close()
    assert _lines(blocker / "predictions") == [{"i": 2}]


def test_files_rotate_by_size_and_age_and_the_folder_keeps_its_budget(tmp_path):
    limits = LogLimits(flush_s=0.01, batch=1, file_bytes=200, total_bytes=1000)
    log = PredictionLog(tmp_path, lambda i: [{"i": i, "pad": "x" * 80}], limits=limits)
    for i in range(60):
        log.put(i)
        time.sleep(0.002)
    log.close()
    files = log_files(tmp_path)
    assert len(files) > 2  # rotated by size
    total = sum(p.stat().st_size for p in files)
    assert total <= limits.total_bytes + limits.file_bytes + 200  # the budget plus the file being written
    assert max(r["i"] for r in _lines(tmp_path)) == 59  # the newest lines survive pruning

    aged = PredictionLog(tmp_path / "aged", lambda i: [{"i": i}], limits=LogLimits(flush_s=0.01, file_age_s=0.05))
    aged.put(1)
    _wait(lambda: aged.stats.written == 1)
    time.sleep(0.1)
    aged.put(2)
    aged.close()
    assert len(log_files(tmp_path / "aged")) == 2  # rotated by age


def test_prune_deletes_oldest_first(tmp_path):
    for i, size in enumerate((100, 100, 100)):
        (tmp_path / f"predictions-2026010{i}T000000.000000-x.jsonl").write_text("x" * size)
    (tmp_path / "unrelated.txt").write_text("y" * 1000)
    removed = prune(tmp_path, 150)
    assert [p.name[:20] for p in removed] == ["predictions-20260100", "predictions-20260101"]
    assert (tmp_path / "unrelated.txt").exists()


def test_a_render_error_drops_that_batch_only(tmp_path):
    def render(item):
        if item == "bad":
            raise ValueError("boom")
        return [{"item": item}]

    log = PredictionLog(tmp_path, render, limits=LogLimits(flush_s=0.02, batch=1))
    log.put("bad")
    _wait(lambda: log.stats.failed == 1)
    log.put("good")
    log.close()
    assert _lines(tmp_path) == [{"item": "good"}]
