"""`emoai data pull`: formats, versions, splits, and every bad input."""

from __future__ import annotations

import json
from pathlib import Path

from fixtures import LABELS, make_rows, write_jsonl


def _versions(home: Path) -> list[Path]:
    root = home / "data"
    return sorted(p for p in root.glob("*/*") if p.is_dir()) if root.exists() else []


def _leftovers(home: Path) -> list[Path]:
    root = home / "data"
    return sorted(root.rglob(".*tmp*")) if root.exists() else []


def test_pull_folder_creates_version_with_manifest(cli, split_folder, emoai_home):
    result = cli("data", "pull", split_folder, "--name", "gen", "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["created"] is True and info["rows"] == {"train": 120, "validation": 30, "test": 30}
    folder = Path(info["path"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["label_names"] == sorted(LABELS)
    assert manifest["splits"]["train"]["label_counts"]["joy"] == 20
    assert manifest["source"] == str(split_folder.resolve())
    import hashlib

    import pyarrow.parquet as pq

    for split, meta in manifest["splits"].items():
        path = folder / meta["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == meta["sha256"]
        table = pq.read_table(path)
        assert table.column_names == ["text", "label"] and table.num_rows == meta["rows"], split


def test_pulling_same_content_twice_stores_nothing_new(cli, split_folder, emoai_home):
    first = json.loads(cli("data", "pull", split_folder, "--json").stdout)
    again = cli("data", "pull", split_folder)
    assert again.exit_code == 0
    assert f"Already have {first['name']}@{first['version']}" in again.stdout
    assert len(_versions(emoai_home)) == 1


def test_version_is_content_hash_independent_of_format(cli, tmp_path, emoai_home):
    rows = make_rows(60)
    a = write_jsonl(tmp_path / "a" / "train.jsonl", rows)
    b = tmp_path / "b" / "train.csv"
    b.parent.mkdir()
    import csv

    with b.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, ["text", "label"])
        writer.writeheader()
        writer.writerows(rows)
    va = json.loads(cli("data", "pull", a, "--name", "x", "--json").stdout)["version"]
    vb = json.loads(cli("data", "pull", b, "--name", "x", "--json").stdout)["version"]
    assert va == vb


def test_train_only_source_gets_seeded_stratified_split(cli, tmp_path):
    path = write_jsonl(tmp_path / "all.jsonl", make_rows(600))
    one = json.loads(cli("data", "pull", path, "--json").stdout)
    assert one["name"] == "all"
    assert one["rows"] == {"train": 480, "validation": 60, "test": 60}
    manifest = json.loads((Path(one["path"]) / "manifest.json").read_text())
    assert set(manifest["splits"]["test"]["label_counts"].values()) == {10}  # stratified: 10 of each label
    assert "seed 0" in manifest["split_strategy"]
    same = json.loads(cli("data", "pull", path, "--json").stdout)
    other = json.loads(cli("data", "pull", path, "--seed", "1", "--json").stdout)
    assert same["version"] == one["version"] and other["version"] != one["version"]


def test_csv_tsv_parquet_and_txt_with_column_mapping(cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = make_rows(30)
    (tmp_path / "d.tsv").write_text(
        "sentence\temotion\n" + "".join(f"{r['text']}\t{r['label']}\n" for r in rows)
    )
    result = cli(
        "data", "pull", tmp_path / "d.tsv", "--text-col", "sentence", "--label-col", "emotion", "--json"
    )
    assert result.exit_code == 0, result.stderr
    pq.write_table(
        pa.table({"sentence": [r["text"] for r in rows], "y": [r["label"] for r in rows]}),
        tmp_path / "d.parquet",
    )
    result = cli(
        "data", "pull", tmp_path / "d.parquet", "--text-col", "sentence", "--label-col", "y", "--json"
    )
    assert result.exit_code == 0, result.stderr
    (tmp_path / "d.txt").write_text("".join(f"{r['text']};{r['label']}\n" for r in rows))
    result = cli("data", "pull", tmp_path / "d.txt", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rows"]["train"] == 24


def test_integer_labels_map_through_label_file_and_option(cli, tmp_path):
    folder = tmp_path / "ints"
    rows = [{"text": r["text"], "label": LABELS.index(r["label"])} for r in make_rows(60)]
    write_jsonl(folder / "train.jsonl", rows)
    (folder / "labels.txt").write_text("\n".join(LABELS) + "\n")
    info = json.loads(cli("data", "pull", folder, "--json").stdout)
    assert info["labels"] == LABELS  # the file's order is kept: index = class id
    write_jsonl(tmp_path / "ints2.jsonl", rows)
    info = json.loads(
        cli("data", "pull", tmp_path / "ints2.jsonl", "--label-names", ",".join(LABELS), "--json").stdout
    )
    assert info["labels"] == LABELS


def test_hub_dataset_with_class_labels(cli, monkeypatch):
    """The hub path through `datasets.load_dataset`, with the loader answering from memory."""
    import datasets

    rows = make_rows(60)
    features = datasets.Features(
        {"text": datasets.Value("string"), "label": datasets.ClassLabel(names=LABELS)}
    )

    def fake_load(name, *args, **kwargs):
        assert name == "someone/emotions"
        split = datasets.Dataset.from_dict(
            {"text": [r["text"] for r in rows], "label": [LABELS.index(r["label"]) for r in rows]},
            features=features,
        )
        return datasets.DatasetDict({"train": split, "validation": split, "test": split})

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    result = cli("data", "pull", "someone/emotions", "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["name"] == "emotions" and info["labels"] == LABELS
    assert info["rows"] == {"train": 60, "validation": 60, "test": 60}


def test_source_defaults_to_env(cli, split_folder, monkeypatch):
    monkeypatch.setenv("EMOAI_DATA_SOURCE", str(split_folder))
    result = cli("data", "pull", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "gen-data"


def test_home_option_reaches_core(cli, split_folder, tmp_path):
    other = tmp_path / "other-home"
    assert cli("--home", other, "data", "pull", split_folder).exit_code == 0
    listed = json.loads(cli("--home", other, "data", "list", "--json").stdout)
    assert [v["name"] for v in listed] == ["gen-data"]
    assert (other / "data" / "gen-data").is_dir()


# ---------------------------------------------------------------- bad input


def _bad(cli, home, *args, code=2):
    result = cli("data", "pull", *args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
    assert _versions(home) == [] and _leftovers(home) == []
    return result.stderr


def test_missing_path(cli, emoai_home, tmp_path):
    err = _bad(cli, emoai_home, tmp_path / "nope.jsonl")
    assert "no such file or directory" in err


def test_unknown_format(cli, emoai_home, tmp_path):
    (tmp_path / "data.xlsx").write_text("x")
    err = _bad(cli, emoai_home, tmp_path / "data.xlsx")
    assert "unknown format: data.xlsx" in err


def test_malformed_jsonl_line_number(cli, emoai_home, tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": "joy"}\n{"text": "b", "label": \n')
    err = _bad(cli, emoai_home, path)
    assert "line 2: malformed JSON" in err


def test_malformed_csv_row(cli, emoai_home, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("text,label\nhello,joy\nsad, very sad,sadness\n")
    err = _bad(cli, emoai_home, path)
    assert "line 3: malformed CSV row" in err


def test_malformed_txt_line(cli, emoai_home, tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("i am happy;joy\nno separator here\n")
    err = _bad(cli, emoai_home, path)
    assert "line 2: malformed line, expected 'text;label'" in err


def test_missing_column_lists_columns(cli, emoai_home, tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"sentence": "a", "label": "joy"}])
    err = _bad(cli, emoai_home, path)
    assert "no column 'text' (columns found: sentence, label)" in err and "--text-col" in err


def test_empty_dataset(cli, emoai_home, tmp_path):
    (tmp_path / "d.jsonl").write_text("\n\n")
    err = _bad(cli, emoai_home, tmp_path / "d.jsonl")
    assert "empty" in err


def test_undecodable_bytes(cli, emoai_home, tmp_path):
    path = tmp_path / "d.txt"
    path.write_bytes(b"i am happy;joy\nbad \xff\xfe byte;joy\n")
    err = _bad(cli, emoai_home, path)
    assert "line 2: bytes are not valid UTF-8" in err


def test_nested_label_lists_are_refused(cli, emoai_home, tmp_path):
    path = write_jsonl(tmp_path / "go.jsonl", [{"text": "a", "labels": [["joy"], "love"]}] * 20)
    err = _bad(cli, emoai_home, path)
    assert "train row 1: label ['joy'] is not a name or an id" in err


def test_integer_labels_without_names(cli, emoai_home, tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "a", "label": 1}] * 20)
    err = _bad(cli, emoai_home, path)
    assert "integer label 1 but no label names" in err and "--label-names" in err


def test_folder_without_train_split(cli, emoai_home, tmp_path):
    write_jsonl(tmp_path / "f" / "test.jsonl", make_rows(10))
    err = _bad(cli, emoai_home, tmp_path / "f")
    assert "no train split" in err


def test_hub_unreachable_is_exit_3_with_local_hint(cli, emoai_home):
    err = _bad(cli, emoai_home, "dair-ai/emotion", code=3)
    assert "cannot reach the Hugging Face hub" in err
    assert "emoai data pull ./path/to/data" in err


def test_interrupted_pull_leaves_no_version(cli, emoai_home, split_folder, monkeypatch):
    from emoai_core.data import versions as data

    calls = {"n": 0}
    real = data._write_split

    def write_then_interrupt(*args, **kwargs):
        calls["n"] += 1
        real(*args, **kwargs)
        if calls["n"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(data, "_write_split", write_then_interrupt)
    result = cli("data", "pull", split_folder)
    assert result.exit_code == 130
    assert _versions(emoai_home) == [] and _leftovers(emoai_home) == []
