"""emoai_core.data.sources: every reader gives the same rows; malformed input is named by file and line."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.data.sources import Columns, is_local, read_source


def test_a_folder_maps_split_aliases_and_reads_each_format(tmp_path):
    (tmp_path / "train.txt").write_text("i feel great; really;joy\n\nso sad;sadness\n")
    (tmp_path / "dev.csv").write_text('text,label\n"hi, there",joy\nnothing,\n')
    (tmp_path / "test.tsv").write_text("text\tlabel\nok\tsadness\n")
    (tmp_path / "notes.md").write_text("ignored")
    files: list[tuple[str, int]] = []

    raw = read_source(str(tmp_path), Columns(), None, lambda name, rows: files.append((name, rows)))

    assert raw.kind == "folder" and raw.label_names is None
    assert raw.splits["train"].texts == ["i feel great; really", "so sad"]
    assert raw.splits["train"].labels == ["joy", "sadness"]
    assert raw.splits["validation"].texts == ["hi, there", "nothing"]
    assert raw.splits["validation"].labels == ["joy", None]
    assert raw.splits["test"].labels == ["sadness"]
    assert sorted(files) == [("dev.csv", 2), ("test.tsv", 1), ("train.txt", 2)]


def test_label_names_come_from_a_labels_file(tmp_path):
    (tmp_path / "train.jsonl").write_text('{"text": "a", "label": 0}\n')
    (tmp_path / "labels.txt").write_text("sadness\n\njoy\n")

    assert read_source(str(tmp_path), Columns(), None).label_names == ["sadness", "joy"]
    assert read_source(str(tmp_path), Columns(), ["x", "y"]).label_names == ["x", "y"]


def test_a_missing_column_lists_the_columns_found(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"sentence": "a", "label": "joy"}\n')
    with pytest.raises(UsageError, match=r"no column 'text' \(columns found: sentence, label\)") as info:
        read_source(str(path), Columns(), None)
    assert "--text-col" in info.value.hint


def test_folder_problems_are_usage_errors(tmp_path):
    (tmp_path / "train.csv").write_text("text,label\na,joy\n")
    (tmp_path / "train.jsonl").write_text('{"text": "a", "label": "joy"}\n')
    with pytest.raises(UsageError, match="two files for the train split"):
        read_source(str(tmp_path), Columns(), None)

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "test.csv").write_text("text,label\n")
    with pytest.raises(UsageError, match="no train split"):
        read_source(str(empty), Columns(), None)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", b"text,label\na,joy,extra\n", r"bad\.csv: line 2: malformed CSV row \(3 fields"),
        ("bad.txt", b"fine;joy\nno separator here\n", r"bad\.txt: line 2: malformed line"),
        ("bad.jsonl", b'{"text": "a", "label": "joy"}\n{oops\n', r"bad\.jsonl: line 2: malformed JSON"),
        (
            "bad.jsonl",
            b'{"text": "a", "label": "joy"}\n{"text": "\xff"}\n',
            r"line 2: bytes are not valid UTF-8",
        ),
        ("bad.parquet", b"not parquet", "not a readable parquet file"),
    ],
)
def test_malformed_files_are_named_with_their_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        read_source(str(path), Columns(), None)


def test_a_missing_local_path_is_not_mistaken_for_a_hub_id(tmp_path):
    with pytest.raises(UsageError, match="no such file or directory"):
        read_source(str(tmp_path / "nope.csv"), Columns(), None)


@pytest.mark.parametrize(
    ("source", "local"),
    [
        ("dair-ai/emotion", False),
        ("emotion", False),
        ("./emotion", True),
        ("data.csv", True),
        ("a/b/c", True),
        ("https://example.org/a/b/train.csv", False),
        ("http://example.org/data/", False),
    ],
)
def test_is_local(source, local):
    assert is_local(source) is local
