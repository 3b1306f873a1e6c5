"""Atomic writes: a half-written version, model or config is never left where later commands trust it."""

from __future__ import annotations

import pytest

from emoai_core.base.atomic import atomic_dir, atomic_write_text


def test_atomic_dir_commits_on_success(tmp_path):
    target = tmp_path / "v1"
    with atomic_dir(target) as tmp:
        (tmp / "a.txt").write_text("x")
        assert not target.exists()
    assert (target / "a.txt").read_text() == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["v1"]


def test_atomic_dir_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "v1"
    with pytest.raises(KeyboardInterrupt), atomic_dir(target) as tmp:
        (tmp / "a.txt").write_text("x")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_keeps_existing_unless_replace(tmp_path):
    target = tmp_path / "v1"
    target.mkdir()
    (target / "a.txt").write_text("old")
    with atomic_dir(target) as tmp:
        (tmp / "a.txt").write_text("new")
    assert (target / "a.txt").read_text() == "old"
    with atomic_dir(target, replace=True) as tmp:
        (tmp / "a.txt").write_text("new")
    assert (target / "a.txt").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["v1"]


def test_atomic_write_text_replaces_whole_file(tmp_path):
    path = tmp_path / "state.json"
    atomic_write_text(path, "one")
    atomic_write_text(path, "two")
    assert path.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
