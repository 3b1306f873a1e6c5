"""Data versions travel through the shared storage: pushed once, pulled back verified, found by a job."""

from __future__ import annotations

import json

import pytest

from emoai_core.base.errors import EmoaiError, NotFoundError, UsageError
from emoai_core.data import remote
from emoai_core.storage import files
from emoai_core.storage.location import parse


@pytest.fixture(params=["file", pytest.param("s3", marks=pytest.mark.slow)])  # s3: moto_server, a server (slow)
def storage_uri(request, tmp_path):
    if request.param == "file":
        return f"file://{tmp_path}/shared"
    return request.getfixturevalue("s3_storage")


def _move_home(monkeypatch, tmp_path, name):
    """Another machine: an empty EMOAI_HOME."""
    home = tmp_path / name
    monkeypatch.setenv("EMOAI_HOME", str(home))
    return home


def test_push_once_then_pull_from_on_another_machine(cli, gen_data, storage_uri, monkeypatch, tmp_path):
    pushed = cli("data", "push", gen_data, "--storage", storage_uri, "--json")
    assert pushed.exit_code == 0, pushed.stderr
    info = json.loads(pushed.stdout)
    assert info["copied"] and info["uri"].endswith(f"/data/{gen_data.replace('@', '/')}")
    again = json.loads(cli("data", "push", gen_data, "--storage", storage_uri, "--json").stdout)
    assert not again["copied"]  # content-addressed: uploaded once

    _move_home(monkeypatch, tmp_path, "other-machine")
    monkeypatch.delenv("EMOAI_STORAGE", raising=False)
    name, version = gen_data.split("@")
    monkeypatch.setenv("EMOAI_STORAGE", storage_uri)  # the endpoint of a moto storage travels with its URI
    root = parse(storage_uri).uri
    pulled = cli("data", "pull-from", f"{root}/{name}@{version[:6]}", "--json")
    assert pulled.exit_code == 0, pulled.stderr
    got = json.loads(pulled.stdout)
    assert got["ref"] == gen_data and got["copied"]
    listed = json.loads(cli("data", "list", "--json").stdout)
    assert [f"{v['name']}@{v['version']}" for v in listed] == [gen_data]
    assert cli("data", "validate", gen_data).exit_code == 0


def test_a_job_resolves_a_pushed_version_from_storage(gen_data, storage_uri, monkeypatch, tmp_path):
    monkeypatch.setenv("EMOAI_STORAGE", storage_uri)
    remote.push(gen_data)
    _move_home(monkeypatch, tmp_path, "head-node")
    with pytest.raises(NotFoundError):
        remote.resolve_anywhere("gen")  # a bare name is not fetched: the job is always told the version
    dv = remote.resolve_anywhere(gen_data)
    assert dv.ref == gen_data and dv.split_path("train").is_file()


def test_a_damaged_split_is_refused(gen_data, storage_uri, monkeypatch, tmp_path):
    monkeypatch.setenv("EMOAI_STORAGE", storage_uri)
    storage = parse(storage_uri)
    remote.push(gen_data, storage)
    name, version = gen_data.split("@")
    files.write_bytes(storage, f"data/{name}/{version}/train.parquet", b"not the parquet that was pushed")
    home = _move_home(monkeypatch, tmp_path, "other")
    with pytest.raises(EmoaiError, match="sha256"):
        remote.pull_from(gen_data)
    assert not (home / "data" / name / version).exists()  # nothing half-made is left


def test_missing_and_malformed_targets(cli, storage_uri, monkeypatch):
    monkeypatch.setenv("EMOAI_STORAGE", storage_uri)
    missing = cli("data", "pull-from", "emotion@abc")
    assert missing.exit_code == 2 and "is not on" in missing.stderr and "emoai data push" in missing.stderr
    with pytest.raises(UsageError, match="names no data version"):
        remote.split_target("s3://bucket/prefix/emotion")
    monkeypatch.delenv("EMOAI_STORAGE")
    none = cli("data", "push", "emotion")
    assert none.exit_code == 2 and "none is configured" in none.stderr
