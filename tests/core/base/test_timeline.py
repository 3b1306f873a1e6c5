"""The start-up timeline: marks only when EMOAI_TIMELINE names a file, one json line each."""

from __future__ import annotations

from emoai_core.base.timeline import mark, read


def test_no_file_no_marks(tmp_path, monkeypatch):
    monkeypatch.delenv("EMOAI_TIMELINE", raising=False)
    mark("nothing")
    assert list(tmp_path.iterdir()) == []


def test_marks_are_appended_in_order(tmp_path, monkeypatch):
    path = tmp_path / "timeline.jsonl"
    monkeypatch.setenv("EMOAI_TIMELINE", str(path))
    mark("a")
    mark("b")
    marks = read(str(path))
    assert [m["name"] for m in marks] == ["a", "b"] and marks[0]["time"] <= marks[1]["time"]
    assert read(str(tmp_path / "missing.jsonl")) == []


def test_an_unwritable_timeline_never_stops_a_run(tmp_path, monkeypatch):
    monkeypatch.setenv("EMOAI_TIMELINE", str(tmp_path / "no" / "such" / "dir" / "t.jsonl"))
    mark("ignored")
