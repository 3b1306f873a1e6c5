"""emoai_core.monitoring.records: durations, and reading a time window back from the log files."""

from __future__ import annotations

import json
import os

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.monitoring.records import is_error, parse_since, read_records


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("1h", 3600), ("2d", 172800), ("1h30m", 5400), ("1w", 604800)])
def test_durations(text, seconds):
    assert parse_since(text) == seconds


@pytest.mark.parametrize("text", ["", "1", "an hour", "1h and more", "0m", "-1h"])
def test_bad_durations_are_usage_errors(text):
    with pytest.raises(UsageError, match="--since"):
        parse_since(text)


def test_a_window_reads_only_its_records_and_skips_broken_lines(tmp_path):
    old = tmp_path / "predictions-20260101T000000.000000-a.jsonl"
    old.write_text(json.dumps({"t": 10.0, "label": "joy"}) + "\n")
    os.utime(old, (20, 20))  # last written before the window: not even opened
    new = tmp_path / "predictions-20260102T000000.000000-b.jsonl"
    new.write_text(
        "\n".join([json.dumps({"t": 99.0}), json.dumps({"t": 150.0, "label": "fear"}), '{"t": 160', json.dumps({"t": 250.0})])
        + "\n"
    )
    os.utime(new, (300, 300))
    assert list(read_records(tmp_path, 100.0, 200.0)) == [{"t": 150.0, "label": "fear"}]
    assert is_error({"status": 422}) and not is_error({"label": "joy"})


def test_a_tail_reads_only_what_was_appended_and_forgets_what_is_old(tmp_path):
    from emoai_core.monitoring.records import LogTail

    path = tmp_path / "predictions-20260101T000000.000000-a.jsonl"
    path.write_text(json.dumps({"t": 100.0, "i": 1}) + "\n" + '{"t": 101.0, "i"')  # the last line is being written
    tail = LogTail(tmp_path, horizon=60)
    assert [r["i"] for r in tail.refresh(now=110.0)] == [1]
    with path.open("a") as handle:
        handle.write(': 2}\n' + json.dumps({"t": 150.0, "i": 3}) + "\n")
    assert [r["i"] for r in tail.refresh(now=155.0)] == [1, 2, 3]
    assert [r["i"] for r in tail.refresh(now=200.0)] == [3]  # older than the horizon: forgotten
    (tmp_path / "predictions-20260102T000000.000000-b.jsonl").write_text(json.dumps({"t": 201.0, "i": 4}) + "\n")
    assert [r["i"] for r in tail.refresh(now=205.0)] == [3, 4]
