"""Storage URIs: the schemes, the layout under the root, S3 options, and bad URIs as usage errors."""

from __future__ import annotations

import pickle

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.storage.location import configured, parse, required


def test_s3_uri_with_endpoint_override():
    s = parse("s3://bucket/team/emoai/?endpoint_override=http://127.0.0.1:9000&region=eu-west-1")
    assert (s.scheme, s.root, s.uri) == ("s3", "bucket/team/emoai", "s3://bucket/team/emoai")
    assert s.path("ray", "emoai-abc") == "bucket/team/emoai/ray/emoai-abc"
    assert s.uri_of("mlflow") == "s3://bucket/team/emoai/mlflow"
    assert s.endpoint == "http://127.0.0.1:9000"
    fs = s.filesystem()
    assert fs.type_name == "s3" and pickle.loads(pickle.dumps(fs)).type_name == "s3"  # Ray ships it to nodes


def test_s3_endpoint_the_standard_way(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9999")
    assert parse("s3://bucket").endpoint == "http://127.0.0.1:9999"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:7777")  # the S3-only variable wins
    assert parse("s3://bucket").endpoint == "http://127.0.0.1:7777"


def test_file_and_gs_uris(tmp_path):
    local = parse(f"file://{tmp_path}/shared/")
    assert (local.scheme, local.root, local.uri) == ("file", f"{tmp_path}/shared", f"file://{tmp_path}/shared")
    assert local.filesystem().type_name == "local"
    gs = parse("gs://bucket/prefix")
    assert (gs.scheme, gs.root) == ("gs", "bucket/prefix")


@pytest.mark.parametrize(
    "uri",
    ["/tmp/x", "hdfs://x/y", "s3://", "file://relative/x", "s3://b/p?endpoint=x", "file:///x?region=y", ""],
)
def test_bad_uris_are_usage_errors(uri):
    with pytest.raises(UsageError) as info:
        parse(uri)
    assert info.value.hint


def test_configured_from_env_and_cluster_record(monkeypatch, emoai_home):
    assert configured() is None
    with pytest.raises(UsageError, match="none is configured"):
        required(why="pushing needs a storage")
    monkeypatch.setenv("EMOAI_STORAGE", "file:///srv/emoai")
    assert configured().root == "/srv/emoai"
    monkeypatch.delenv("EMOAI_STORAGE")
    emoai_home.mkdir(parents=True, exist_ok=True)
    (emoai_home / "cluster.json").write_text('{"storage": "s3://from-cluster/x"}')
    assert configured().uri == "s3://from-cluster/x"  # the cluster `emoai cluster up` started brings one
