"""emoai_core.data.readers: csv/tsv without a header, the label column found by name, bad layouts named."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.data.readers import Columns, pick_label_column, read_file


def test_a_headerless_tsv_reads_with_named_columns(tmp_path):
    path = tmp_path / "train.tsv"
    path.write_text("Is this New Orleans??\t27\tedgurhb\nYou know the answer\t4,27\tee84bjg\n")

    split = read_file(path, Columns(names=("text", "labels", "id")))

    assert split.texts == ["Is this New Orleans??", "You know the answer"]
    assert split.labels == ["27", "4,27"]
    assert split.label_column == "labels"  # no 'label' column: 'labels' is the label column


def test_named_columns_work_with_text_and_label_options(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("id1,hello there,joy\nid2,so sad,sadness\n")

    split = read_file(path, Columns(text="body", label="emotion", names=("id", "body", "emotion")))

    assert split.texts == ["hello there", "so sad"] and split.labels == ["joy", "sadness"]


def test_a_headerless_row_with_other_field_count_is_named_by_line(tmp_path):
    path = tmp_path / "d.tsv"
    path.write_text("a\t1\tx\nb\t2\n")
    with pytest.raises(
        UsageError, match=r"d\.tsv: line 2: malformed CSV row \(2 fields, --columns names 3\)"
    ):
        read_file(path, Columns(names=("text", "labels", "id")))


def test_a_header_is_not_read_as_data_and_named_columns_must_exist(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,joy\n")
    with pytest.raises(UsageError, match=r"no column 'text' \(columns found: sentence, label\)"):
        read_file(path, Columns(names=("sentence", "label")))


@pytest.mark.parametrize("name", ["d.jsonl", "d.parquet"])
def test_no_header_applies_to_csv_and_tsv_only(tmp_path, name):
    path = tmp_path / name
    path.write_text("{}")
    with pytest.raises(UsageError, match="--no-header/--columns apply to csv and tsv files"):
        read_file(path, Columns(names=("text", "label")))


def test_the_label_column_defaults_to_label_then_labels():
    assert pick_label_column(Columns(), ["text", "label", "labels"], "f") == "label"
    assert pick_label_column(Columns(), ["text", "labels"], "f") == "labels"
    assert pick_label_column(Columns(label="y"), ["text", "y", "label"], "f") == "y"
    with pytest.raises(UsageError, match=r"f: no column 'label' \(columns found: text, tags\)"):
        pick_label_column(Columns(), ["text", "tags"], "f")
    with pytest.raises(UsageError, match="no column 'y'") as info:
        pick_label_column(Columns(label="y"), ["text", "label"], "f")
    assert "--label-col" in info.value.hint


def test_jsonl_and_parquet_list_columns_arrive_as_lists(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "d.jsonl").write_text(
        '{"text": "a", "labels": ["joy", "love"]}\n{"text": "b", "labels": []}\n'
    )
    pq.write_table(pa.table({"text": ["a", "b"], "labels": [[1, 0], []]}), tmp_path / "d.parquet")

    assert read_file(tmp_path / "d.jsonl", Columns()).labels == [["joy", "love"], []]
    assert read_file(tmp_path / "d.parquet", Columns()).labels == [[1, 0], []]
