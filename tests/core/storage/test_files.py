"""Files on the storage, through one code path for a folder (file://) and S3 (moto_server)."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import EmoaiError, UnreachableError
from emoai_core.storage import files
from emoai_core.storage.folders import fetch_folder, push_folder
from emoai_core.storage.location import parse


@pytest.fixture(params=["file", pytest.param("s3", marks=pytest.mark.slow)])  # s3: moto_server, a server (slow)
def storage(request, tmp_path, monkeypatch):
    uri = f"file://{tmp_path}/shared" if request.param == "file" else request.getfixturevalue("s3_storage")
    monkeypatch.setenv("EMOAI_STORAGE", uri)  # URIs under it (a pushed folder's) keep its endpoint
    return parse(uri)


def test_write_read_list_delete(storage, tmp_path):
    assert not files.exists(storage, "a/b.txt")
    files.write_bytes(storage, "a/b.txt", b"hello")
    assert files.exists(storage, "a/b.txt") and files.read_bytes(storage, "a/b.txt") == b"hello"
    local = tmp_path / "up.bin"
    local.write_bytes(b"x" * 1000)
    files.upload(storage, local, "a/c/up.bin")
    assert files.list_names(storage, "a") == ["b.txt", "c"]
    assert files.list_names(storage, "a", recursive=True) == ["b.txt", "c/up.bin"]
    got = files.download(storage, "a/c/up.bin", tmp_path / "down" / "up.bin", files.sha256_of(local))
    assert got.read_bytes() == b"x" * 1000
    assert files.delete_tree(storage, "a") and not files.exists(storage, "a/b.txt")
    assert not files.delete_tree(storage, "a")


def test_download_refuses_a_wrong_hash_and_keeps_nothing(storage, tmp_path):
    files.write_bytes(storage, "x.bin", b"damaged")
    with pytest.raises(EmoaiError, match="does not match its recorded sha256"):
        files.download(storage, "x.bin", tmp_path / "x.bin", "0" * 64)
    assert list(tmp_path.glob("*x.bin*")) == []


def test_folders_are_pushed_once_and_fetched_verified(storage, tmp_path):
    src = tmp_path / "model"
    (src / "sub").mkdir(parents=True)
    (src / "config.json").write_text("{}")
    (src / "sub" / "w.bin").write_bytes(b"\0" * 64)
    uri = push_folder(storage, src)
    assert uri.startswith(storage.uri + "/base-models/")
    assert push_folder(storage, src) == uri  # same content, same place, nothing uploaded again
    got = fetch_folder(uri, tmp_path / "cache")
    assert (got / "sub" / "w.bin").read_bytes() == b"\0" * 64 and (got / "config.json").read_text() == "{}"


def test_an_unreachable_s3_endpoint_is_exit_3(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    dead = parse("s3://bucket/x?endpoint_override=http://127.0.0.1:9&region=us-east-1")
    with pytest.raises(UnreachableError) as info:
        files.exists(dead, "y")
    assert info.value.exit_code == 3
