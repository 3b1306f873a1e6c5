"""emoai_core.training.sources: several data versions, one label set, mixed by weight."""

from __future__ import annotations

import json

import pytest
from fixtures import make_rows, write_jsonl, write_split_folder

from emoai_core.base.errors import UsageError
from emoai_core.training.sources import parse_mix, refs, sample_sizes, source_keys, train_table


def _pull(cli, folder, name):
    result = cli("data", "pull", str(folder), "--name", name, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["ref"]


def test_refs_split_on_commas_and_none_means_the_default():
    assert refs("emotion@abc,goemotions6") == ["emotion@abc", "goemotions6"]
    assert refs(None) == [""]


def test_weights_keep_their_ratio_without_repeating_rows_of_the_small_source():
    assert sample_sizes([16000, 20000], (1, 1)) == [16000, 16000]
    assert sample_sizes([16000, 20000], (1, 3)) == [6667, 20000]
    assert sample_sizes([100, 50], None) == [100, 50]


@pytest.mark.parametrize(
    ("spec", "message"), [("1", r"1 weight\(s\) for 2"), ("1,x", "expected numbers"), ("1,0", "positive")]
)
def test_bad_mixes_are_usage_errors(spec, message):
    with pytest.raises(UsageError, match=message):
        parse_mix(spec, 2)


def test_the_mixed_training_rows_are_the_same_on_every_call_and_carry_their_source(cli, tmp_path):
    a = _pull(cli, write_split_folder(tmp_path / "a", sizes=(60, 12, 12)), "alpha")
    b = _pull(cli, write_split_folder(tmp_path / "b", sizes=(120, 12, 12), seed=5), "beta")
    from emoai_core.data.versions import resolve_version

    versions = [resolve_version(a), resolve_version(b)]
    first = train_table(versions, (1, 1), seed=0, limit=None)
    assert first.num_rows == 120 and sorted(first.column("source").to_pylist()).count(0) == 60
    assert first.equals(train_table(versions, (1, 1), seed=0, limit=None))
    assert train_table(versions, None, seed=0, limit=50).num_rows == 50
    assert source_keys(versions) == ("alpha", "beta")


def test_sources_with_different_label_sets_are_refused_naming_the_difference(cli, tmp_path):
    a = _pull(cli, write_split_folder(tmp_path / "a"), "alpha")
    other = tmp_path / "b"
    for offset, split in enumerate(("train", "validation", "test")):
        write_jsonl(
            other / f"{split}.jsonl", make_rows(60, seed=offset, labels=["joy", "sadness", "neutral"])
        )
    b = _pull(cli, other, "beta")
    result = cli("train", "--data", a, "--data", b, "--epochs", "1")
    assert result.exit_code == 2
    assert "different label sets" in result.stderr and "only in beta: neutral" in result.stderr
    assert "emoai data map" in result.stderr
