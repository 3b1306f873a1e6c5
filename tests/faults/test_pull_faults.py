"""`emoai data pull` under Ctrl-C at each stage and with the disk full: no partial version, a rerun works."""

from __future__ import annotations

import resource
import subprocess
import sys
import time

import pytest
from harness import LAUNCH, emoai, one_line_error, record, tree_digest

pytestmark = pytest.mark.slow

STAGES = {
    "reading": "emoai_core.data.sources:read_source",
    "normalising": "emoai_core.data.normalise:normalise",
    "writing the second split": "emoai_core.data.versions:_write_split@2",
    "writing the last split": "emoai_core.data.versions:label_counts@3",
}


def _folder(tmp_path, rows=(300, 40, 40), seed=0):
    from fixtures import write_split_folder

    return write_split_folder(tmp_path / f"data-{seed}", sizes=rows, seed=seed)


def _versions(home):
    data = home / "data"
    return sorted(str(p.relative_to(data)) for p in data.glob("*/*")) if data.is_dir() else []


@pytest.mark.parametrize("stage", list(STAGES))
def test_ctrl_c_at_each_stage_of_pull_leaves_no_partial_version(env, emoai_home, tmp_path, stage):
    source = _folder(tmp_path)
    stopped = emoai(env, "data", "pull", source, "--name", "gen", ctrl_c_at=STAGES[stage])
    assert stopped.code == 130, stopped.stderr
    assert "Error: interrupted" in stopped.stderr and "Traceback" not in stopped.stderr
    assert _versions(emoai_home) == []  # nothing stored, not even a hidden temp folder
    assert not list((emoai_home / "data").rglob("*.parquet")) if (emoai_home / "data").exists() else True
    started = time.monotonic()
    again = emoai(env, "data", "pull", source, "--name", "gen", "--json")
    assert again.code == 0, again.stderr
    assert len(_versions(emoai_home)) == 1 and not stopped.left and not again.left
    record(f"ctrl-c during pull ({stage})", survived=True, data_lost=0, recovery_s=time.monotonic() - started)


def test_disk_full_during_pull_is_a_clean_error_and_earlier_versions_stay_intact(env, emoai_home, tmp_path):
    first = emoai(env, "data", "pull", _folder(tmp_path, (200, 30, 30)), "--name", "gen", "--json")
    assert first.code == 0, first.stderr
    before = tree_digest(emoai_home / "data")
    big = _folder(tmp_path, (6000, 600, 600), seed=1)
    limit = 64 * 1024  # a parquet split of 6,000 rows is larger: the write fails with EFBIG

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(
        [sys.executable, str(LAUNCH), "data", "pull", str(big), "--name", "gen"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=small_disk,
    )
    assert proc.returncode == 1, proc.stderr
    assert one_line_error(proc.stderr) and "out of disk space" in proc.stderr, proc.stderr
    assert tree_digest(emoai_home / "data") == before  # the earlier version, byte for byte; no temp folder
    started = time.monotonic()
    again = emoai(env, "data", "pull", big, "--name", "gen", "--json")
    assert again.code == 0, again.stderr
    assert len(_versions(emoai_home)) == 2
    record("disk full during pull", survived=True, data_lost=0, recovery_s=time.monotonic() - started)
