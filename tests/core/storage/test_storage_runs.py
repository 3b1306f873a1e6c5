"""Ray Train's storage_path: EMOAI_HOME without a storage, the storage's `ray/` with one."""

from __future__ import annotations

import pytest

from emoai_core.base.settings import paths, ray_run_name
from emoai_core.storage import files
from emoai_core.storage.location import parse
from emoai_core.storage.runs import delete_run, ray_storage, read_run_file, run_location


def test_without_a_storage_runs_live_under_emoai_home():
    path, fs = ray_storage()
    assert path == str(paths().ray_storage) and fs is None
    assert run_location("r1") == str(paths().ray_run("r1"))
    assert read_run_file("r1", "x.json") is None
    paths().ray_run("r1").mkdir(parents=True)
    (paths().ray_run("r1") / "x.json").write_text("{}")
    assert read_run_file("r1", "x.json") == b"{}"
    delete_run("r1")
    assert not paths().ray_run("r1").exists()


@pytest.mark.slow
def test_with_a_storage_runs_live_on_it(s3_storage, monkeypatch):
    monkeypatch.setenv("EMOAI_STORAGE", s3_storage)
    storage = parse(s3_storage)
    path, fs = ray_storage()
    assert path == storage.path("ray") and fs.type_name == "s3"
    assert run_location("r2") == f"{storage.uri}/ray/{ray_run_name('r2')}"
    files.write_bytes(storage, f"ray/{ray_run_name('r2')}/snap.json", b'{"a": 1}')
    assert read_run_file("r2", "snap.json") == b'{"a": 1}'
    assert read_run_file("r2", "missing.json") is None
    delete_run("r2")
    assert not files.exists(storage, f"ray/{ray_run_name('r2')}/snap.json")
