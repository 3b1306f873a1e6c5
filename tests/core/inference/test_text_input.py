"""emoai_core.inference.text_input: texts for `emoai predict` from a txt, csv/tsv or jsonl file, or stdin."""

from __future__ import annotations

import io

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.inference.text_input import check_texts, read_file, read_stdin


def test_check_texts_refuses_nothing_and_blank_texts():
    assert check_texts(["i feel great"]) == ["i feel great"]
    with pytest.raises(UsageError, match="no text given"):
        check_texts([])
    with pytest.raises(UsageError, match="text 2 is empty"):
        check_texts(["fine", "  \t"])


def test_a_txt_file_is_one_text_per_non_blank_line(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("first, with a comma\n\n   \nsecond\n")
    assert read_file(path) == ["first, with a comma", "second"]


def test_csv_and_tsv_read_the_text_column(tmp_path):
    csv_path = tmp_path / "in.csv"
    csv_path.write_text('id,body\n1,"hello, world"\n2,\n3,bye\n')
    tsv_path = tmp_path / "in.tsv"
    tsv_path.write_text("body\tid\nhi there\t1\n")

    assert read_file(csv_path, text_col="body") == ["hello, world", "bye"]
    assert read_file(tsv_path, text_col="body") == ["hi there"]
    with pytest.raises(UsageError, match=r"no column 'text' \(columns found: id, body\)"):
        read_file(csv_path)


def test_jsonl_reads_the_text_column_and_names_a_bad_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "one"}\n\n{"text": 2}\n{"text": " "}\n')
    assert read_file(path) == ["one", "2"]

    path.write_text('{"text": "one"}\n{"body": "two"}\n')
    with pytest.raises(UsageError, match=r"line 2: no column 'text' \(columns found: body\)"):
        read_file(path)


def test_unreadable_inputs_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="file not found"):
        read_file(tmp_path / "missing.txt")
    with pytest.raises(UsageError, match="is a folder"):
        read_file(tmp_path)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"caf\xe9\n")
    with pytest.raises(UsageError, match="cannot read"):
        read_file(bad)


def test_read_stdin_keeps_non_blank_lines_without_newlines():
    assert read_stdin(io.StringIO("a b\n\n  \nc\n")) == ["a b", "c"]
