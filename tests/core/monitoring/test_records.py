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
