"""emoai_core.base.jsonl: one JSON Lines reader, blank lines skipped, bad lines named by file and line."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.base.jsonl import SUFFIXES, records


def test_records_skip_blank_lines_and_keep_real_line_numbers():
    text = '{"text": "a"}\n\n   \n{"text": "b", "label": 1}\n'

    assert list(records(text, "x.jsonl")) == [(1, {"text": "a"}), (4, {"text": "b", "label": 1})]


def test_malformed_json_names_the_file_and_line():
    text = '{"text": "a"}\n\n{"text": oops}\n'

    with pytest.raises(UsageError, match=r"data\.jsonl: line 3: malformed JSON"):
        list(records(text, "data.jsonl"))


@pytest.mark.parametrize(("line", "kind"), [("[1, 2]", "list"), ('"just text"', "str"), ("42", "int")])
def test_a_record_that_is_not_an_object_is_refused(line, kind):
    with pytest.raises(UsageError) as info:
        list(records('{"ok": true}\n' + line + "\n", "f.jsonl"))
    assert info.value.message == f"f.jsonl: line 2: expected a JSON object, got {kind}"


def test_records_before_a_bad_line_are_yielded_first():
    reader = records('{"a": 1}\nnot json\n', "f.jsonl")
    assert next(reader) == (1, {"a": 1})
    with pytest.raises(UsageError, match="line 2"):
        next(reader)


def test_the_jsonl_suffixes():
    assert set(SUFFIXES) == {".jsonl", ".json", ".ndjson"}
