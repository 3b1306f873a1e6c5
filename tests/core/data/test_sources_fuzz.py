"""Property-based: whatever bytes a data file holds, `read_source` / `emoai data pull` end in a stored
version or one UsageError line — never another exception (a traceback for the user).

Files of every reader (jsonl, csv, tsv, parquet, txt) are generated with mixed encodings, BOMs,
CRLF and lone CR line ends, NUL bytes, huge lines, quotes and delimiters inside fields, and values
of the wrong type; parquet files get random column types, missing columns or truncated bytes.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emoai_core.base.errors import EmoaiError, UsageError

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
nasty_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x00", "\r", "\n", '"', ",", "\t", ";", "\ufeff", "\u2028", "\x85", "\\"]),
    ),
    max_size=40,
)
huge = st.integers(min_value=100_000, max_value=300_000).map(lambda n: "x" * n)
any_value = st.one_of(
    nasty_text,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
LABELS = st.sampled_from(["joy", "anger", "fear", "", " ", "0", "1", "5"])


def _encode(text: str, how: str) -> bytes:
    if how == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if how in ("utf-16", "utf-32"):
        return text.encode(how, "surrogatepass")
    if how == "latin-1":
        return text.encode("latin-1", "replace")
    return text.encode("utf-8", "surrogatepass")


LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@st.composite
def text_file(draw, fmt: str) -> bytes:
    """Half the files are well-formed (only the values are nasty), half are broken in some way."""
    well_formed = draw(st.booleans())
    cell = nasty_text if not well_formed else nasty_text.map(lambda t: t.replace("\x00", ""))
    value = (
        st.one_of(cell, cell, cell, huge)
        if not well_formed
        else st.one_of(cell, cell, cell, cell, cell, huge)
    )
    rows = draw(
        st.lists(
            st.tuples(value, st.one_of(LABELS, LABELS, cell)), min_size=10 if well_formed else 0, max_size=30
        )
    )
    newline = draw(st.sampled_from(["\n", "\r\n"] + ([] if well_formed else ["\r"])))
    if fmt == "jsonl":
        keys = (
            ("text", "label")
            if well_formed
            else draw(st.sampled_from([("text", "label"), ("text", "labels"), ("body", "label")]))
        )
        value = (lambda v: st.just(v)) if well_formed else (lambda v: st.one_of(st.just(v), any_value))
        lines = [json.dumps({keys[0]: draw(value(t)), keys[1]: draw(value(lab))}) for t, lab in rows]
        if not well_formed:
            lines += draw(
                st.lists(st.sampled_from(["", "{", "[1,2]", "null", '"text"', '{"text": 1}']), max_size=2)
            )
    elif fmt in ("csv", "tsv"):
        sep = "," if fmt == "csv" else "\t"
        headers = [f"text{sep}label", f"label{sep}text", f"text{sep}label{sep}extra", "text", ""]
        header = headers[0] if well_formed else draw(st.sampled_from(headers))
        quote = well_formed or draw(st.booleans())
        lines = [header] + [
            sep.join(
                f'"{v}"' if quote else v
                for v in (t.replace('"', '""') if quote else t, lab.replace('"', '""') if quote else lab)
            )
            for t, lab in rows
        ]
    else:  # txt: text;label
        if well_formed:
            lines = [f"{''.join(c for c in t if c not in LINE_BREAKS)};{lab}" for t, lab in rows]
        else:
            lines = [f"{t};{lab}" if draw(st.booleans()) or not t else t for t, lab in rows]
    body = newline.join(lines)
    if not well_formed and draw(st.integers(0, 3)) == 0:
        body = body.replace("a", "\x00", 1)
    encodings = ["utf-8", "utf-8-bom"] + ([] if well_formed else ["utf-16", "utf-32", "latin-1"])
    data = _encode(body, draw(st.sampled_from(encodings)))
    if not well_formed and draw(st.booleans()):
        data += draw(st.binary(max_size=20))  # trailing garbage: invalid UTF-8 somewhere
    return data


@st.composite
def parquet_file(draw) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = draw(st.integers(min_value=0, max_value=25))
    column_types = {
        "string": st.lists(st.one_of(nasty_text, st.none()), min_size=n, max_size=n),
        "int": st.lists(st.one_of(st.integers(-(2**40), 2**40), st.none()), min_size=n, max_size=n),
        "float": st.lists(st.floats(allow_nan=True), min_size=n, max_size=n),
        "bool": st.lists(st.booleans(), min_size=n, max_size=n),
        "list": st.lists(st.lists(st.integers(0, 5), max_size=3), min_size=n, max_size=n),
        "struct": st.lists(st.fixed_dictionaries({"a": st.integers(0, 3)}), min_size=n, max_size=n),
        "binary": st.lists(st.binary(max_size=8), min_size=n, max_size=n),
    }
    names = draw(st.sampled_from([("text", "label"), ("text",), ("label", "text", "extra"), ("x", "y")]))
    table = pa.table(
        {name: draw(column_types[draw(st.sampled_from(sorted(column_types)))]) for name in names}
    )
    out = io.BytesIO()
    pq.write_table(table, out)
    data = out.getvalue()
    cut = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=len(data))))
    return data if cut is None else data[:cut]


def _check(path) -> None:
    """The property: a stored version, or a UsageError of one line (with the file named when it is the file)."""
    from emoai_core.data.pull import pull

    try:
        pull(str(path), name="fuzz")
    except UsageError as exc:
        assert exc.message and "\n" not in exc.message, exc.message
        assert "\n" not in (exc.hint or "")
    except EmoaiError as exc:  # pragma: no cover - a reader must not fail any other way
        pytest.fail(f"{type(exc).__name__} instead of a UsageError: {exc.message}")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv", "txt"])
def test_text_readers_end_in_a_version_or_one_usage_error(fmt, tmp_path):
    @EXAMPLES
    @given(data=text_file(fmt))
    def check(data):
        path = tmp_path / f"train.{fmt}"
        path.write_bytes(data)
        _check(path)

    check()


def test_the_parquet_reader_ends_in_a_version_or_one_usage_error(tmp_path):
    @EXAMPLES
    @given(data=parquet_file())
    def check(data):
        path = tmp_path / "train.parquet"
        path.write_bytes(data)
        _check(path)

    check()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("train.csv", b'text,label\n"a\x00b",joy\n'),
        ("train.tsv", b"\xff\xfetext\tlabel\n"),
        ("train.jsonl", b'{"text": "a", "label": {"x": 1}}\n'),
        ("train.txt", ("x" * 200_000 + ";joy\n").encode()),
        ("train.parquet", b"PAR1 not really"),
    ],
)
def test_emoai_data_pull_prints_one_error_line_and_no_traceback(cli, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    result = cli("data", "pull", path)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 2:
        assert sum(line.startswith("Error:") for line in lines) == 1 and "Traceback" not in result.stderr
