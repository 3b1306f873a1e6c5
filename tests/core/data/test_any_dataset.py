"""`emoai data pull` for any emotion dataset (issue 21): multi-label columns, files without a header,
integer labels as text, free-text label names, hub configs — and the real GoEmotions files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import shared_data_dir
from fixtures import LABELS, make_rows, write_jsonl

GO_NAMES = ["admiration", "amusement", "anger", "neutral"]
# free-text names: brackets, punctuation, spaces, commas and unicode pass through untouched
ODD_NAMES = ["Joy (mild)", "love?", "+", "so, so", "café ☕", "a/b"]


def _pull(cli, *args) -> dict:
    result = cli("data", "pull", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _labels(info: dict, split: str = "train") -> list:
    import pyarrow.parquet as pq

    manifest = json.loads((Path(info["path"]) / "manifest.json").read_text())
    column = "labels" if manifest["task"] == "multi_label" else "label"
    return pq.read_table(Path(info["path"]) / f"{split}.parquet").column(column).to_pylist()


def _go_rows(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """GoEmotions-raw-like rows: text and comma-separated label ids (one to three per row)."""
    import random

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        ids = sorted(rng.sample(range(len(GO_NAMES)), rng.choice([1, 1, 2, 3])))
        rows.append((f"comment {i} {rng.random():.4f}", ",".join(map(str, ids))))
    return rows


def _write_go_raw(folder: Path, sizes=(120, 30, 30)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for (split, n), seed in zip(zip(("train", "dev", "test"), sizes, strict=True), range(3), strict=True):
        lines = [f"{text}\t{ids}\tc{seed}{i}\n" for i, (text, ids) in enumerate(_go_rows(n, seed))]
        (folder / f"{split}.tsv").write_text("".join(lines))
    (folder / "labels.txt").write_text("\n".join(GO_NAMES))  # no trailing newline, like the original
    return folder


# ---------------------------------------------------------------- multi-label


def test_a_labels_column_of_lists_pulls_as_multi_label_with_no_options(cli, tmp_path):
    folder = tmp_path / "go"
    for split, n in (("train", 60), ("validation", 12), ("test", 12)):
        rows = [
            {"text": t, "labels": [GO_NAMES[int(i)] for i in ids.split(",")]}
            for t, ids in _go_rows(n, len(split))
        ]
        write_jsonl(folder / f"{split}.jsonl", rows)
    result = cli("data", "pull", folder)

    assert result.exit_code == 0, result.stderr
    assert "no 'label' column: using 'labels' as the label column" in result.stderr
    assert "multi-label" in result.stdout
    info = _pull(cli, folder)
    assert info["task"] == "multi_label" and info["labels"] == sorted(GO_NAMES)
    assert all(lab == sorted(set(lab)) and lab for lab in _labels(info))


def test_headerless_tsv_with_comma_separated_ids_and_a_names_file(cli, tmp_path):
    """The original GoEmotions layout: no header; text, '2,3', comment id; names in labels.txt."""
    folder = _write_go_raw(tmp_path / "raw")
    names_file = tmp_path / "names.txt"
    names_file.write_text("\n".join(GO_NAMES) + "\n")

    info = _pull(
        cli,
        folder,
        "--no-header",
        "--columns",
        "text,labels,id",
        "--multi-label",
        "--label-names",
        names_file,
    )

    assert info["task"] == "multi_label" and info["labels"] == GO_NAMES  # the file's order: line i = id i
    assert info["rows"] == {"train": 120, "validation": 30, "test": 30}
    expected = [sorted({GO_NAMES[int(i)] for i in ids.split(",")}) for _, ids in _go_rows(120, 0)]
    assert _labels(info) == expected
    # the same rows as a jsonl folder with name lists are the same version
    jsonl = tmp_path / "as-jsonl"
    for split, n, seed in (("train", 120, 0), ("validation", 30, 1), ("test", 30, 2)):
        rows = [
            {"text": t, "labels": [GO_NAMES[int(i)] for i in ids.split(",")]} for t, ids in _go_rows(n, seed)
        ]
        write_jsonl(jsonl / f"{split}.jsonl", rows)
    (jsonl / "labels.txt").write_text("\n".join(GO_NAMES))
    assert _pull(cli, jsonl, "--name", "raw")["version"] == info["version"]


def test_comma_separated_names_in_a_csv_with_multi_label(cli, tmp_path):
    path = tmp_path / "train.csv"
    path.write_text(
        "text,emotions\n" + "".join(f'"row {i}","joy, love,joy"\n' for i in range(20)) + "row x,\n"
    )

    info = _pull(cli, path, "--label-col", "emotions", "--multi-label")

    labels = [lab for split in info["rows"] for lab in _labels(info, split)]
    assert info["labels"] == ["joy", "love"] and labels.count([]) == 1 and labels.count(["joy", "love"]) == 20


def test_a_parquet_list_column_of_ids_maps_through_label_names(cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = [[i % 4, (i + 1) % 4] if i % 3 else [i % 4] for i in range(40)]
    pq.write_table(
        pa.table({"text": [f"t{i}" for i in range(40)], "labels": ids}), tmp_path / "train.parquet"
    )

    info = _pull(cli, tmp_path / "train.parquet", "--label-names", ",".join(GO_NAMES))

    assert info["task"] == "multi_label" and info["labels"] == GO_NAMES
    stored = sorted(lab for split in info["rows"] for lab in _labels(info, split))
    assert stored == sorted(sorted({GO_NAMES[i] for i in row}) for row in ids)


def test_the_real_goemotions_data_pulls_with_no_options(cli, emoai_home):
    folder = shared_data_dir("goemotions")
    if not (folder / "train.jsonl").exists():
        pytest.skip(f"GoEmotions not found at {folder}")
    result = cli("data", "pull", folder, "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["name"] == "goemotions" and info["task"] == "multi_label"
    assert info["rows"] == {"train": 43410, "validation": 5426, "test": 5427}
    assert len(info["labels"]) == 28 and info["labels"][0] == "admiration" and info["labels"][-1] == "neutral"
    assert "using 'labels' as the label column" in result.stderr
    # the original headerless TSVs give the very same content, so the same version
    raw = _pull(
        cli,
        folder / "raw",
        "--no-header",
        "--columns",
        "text,labels,id",
        "--multi-label",
        "--label-names",
        folder / "raw" / "labels.txt",
        "--name",
        "goemotions-raw",
    )
    assert raw["version"] == info["version"] and raw["labels"] == info["labels"]
    shown = json.loads(cli("data", "show", "goemotions", "--json").stdout)
    train = shown["splits"]["train"]
    assert train["labels_per_row"] == {"0": 0, "1": 36308, "2": 6541, "3+": 561}  # README: 532 + 28 + 1
    assert train["label_counts"]["grief"] == 77 and train["label_counts"]["neutral"] == 14219
    assert cli("data", "validate", "goemotions").exit_code == 0


# ---------------------------------------------------------------- integer labels as text


@pytest.mark.parametrize("fmt", ["csv", "tsv", "txt"])
def test_integer_labels_in_text_files_map_through_label_names(cli, tmp_path, fmt):
    """csv/tsv/txt deliver '3' as a string; with label names it is class id 3, not a label '3'."""
    rows = make_rows(60)
    ids = [LABELS.index(r["label"]) for r in rows]
    path = tmp_path / f"train.{fmt}"
    if fmt == "txt":
        path.write_text("".join(f"{r['text']};{i}\n" for r, i in zip(rows, ids, strict=True)))
    else:
        sep = "," if fmt == "csv" else "\t"
        path.write_text(
            f"text{sep}label\n" + "".join(f"{r['text']}{sep}{i}\n" for r, i in zip(rows, ids, strict=True))
        )

    info = _pull(cli, path, "--label-names", ",".join(LABELS))

    assert info["labels"] == LABELS
    stored = sorted(lab for split in info["rows"] for lab in _labels(info, split))
    assert stored == sorted(r["label"] for r in rows)
    checks = json.loads(cli("data", "validate", info["ref"], "--json").stdout)["checks"]
    assert {c["name"]: c["status"] for c in checks}["label_in_set"] == "pass"


def test_label_names_from_a_file_one_per_line(cli, tmp_path):
    names = tmp_path / "classes.txt"
    names.write_text("\n".join(LABELS) + "\n\n")
    rows = [{"text": r["text"], "label": str(LABELS.index(r["label"]))} for r in make_rows(60)]
    path = tmp_path / "d.csv"
    path.write_text("text,label\n" + "".join(f"{r['text']},{r['label']}\n" for r in rows))

    assert _pull(cli, path, "--label-names", names)["labels"] == LABELS


# ---------------------------------------------------------------- free-text label names


def test_free_text_label_names_pass_through_pull_show_and_validate(cli, tmp_path):
    folder = tmp_path / "odd"
    for split, n in (("train", 120), ("validation", 24), ("test", 24)):
        rows = [
            {"text": f"{split} {i}", "labels": [ODD_NAMES[i % 6], ODD_NAMES[(i + 2) % 6]]} for i in range(n)
        ]
        write_jsonl(folder / f"{split}.jsonl", rows)
    (folder / "labels.txt").write_text("\n".join(ODD_NAMES) + "\n")

    info = _pull(cli, folder)
    assert info["labels"] == ODD_NAMES
    assert {x for lab in _labels(info) for x in lab} == set(ODD_NAMES)
    shown = json.loads(cli("data", "show", "odd", "--json").stdout)
    assert set(shown["splits"]["train"]["label_counts"]) == set(ODD_NAMES)
    table = cli("data", "show", "odd")
    assert table.exit_code == 0 and all(n in table.stdout for n in ODD_NAMES)
    valid = cli("data", "validate", "odd", "--json")
    assert valid.exit_code == 0, valid.stdout
    from emoai_core.data.versions import resolve_version

    keys = resolve_version("odd").label_map.metric_keys  # the model wing's metric names
    assert keys["Joy (mild)"] == "Joy_mild" and keys["café ☕"] == "caf" and keys["+"] == "label"


def test_free_text_single_label_names_in_a_csv(cli, tmp_path):
    path = tmp_path / "d.csv"
    names = [n for n in ODD_NAMES if "," not in n]
    path.write_text("text,label\n" + "".join(f'"t {i}","{names[i % 5]}"\n' for i in range(100)))

    info = _pull(cli, path)

    assert info["task"] == "single_label" and info["labels"] == sorted(names)
    assert cli("data", "validate", info["ref"]).exit_code == 0


# ---------------------------------------------------------------- the hub


def test_hub_config_and_revision_reach_load_dataset(cli, monkeypatch):
    import datasets

    calls: list[tuple] = []
    features = datasets.Features(
        {"text": datasets.Value("string"), "labels": datasets.Sequence(datasets.ClassLabel(names=GO_NAMES))}
    )

    def fake_load(path, name=None, **kwargs):
        calls.append((path, name, kwargs))
        split = datasets.Dataset.from_dict(
            {"text": [f"t{i}" for i in range(40)], "labels": [[i % 4] for i in range(40)]}, features=features
        )
        return datasets.DatasetDict({"train": split, "test": split})

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    info = _pull(cli, "google-research-datasets/go_emotions", "--config", "simplified", "--revision", "v1.2")

    assert calls == [("google-research-datasets/go_emotions", "simplified", {"revision": "v1.2"})]
    assert info["task"] == "multi_label" and info["labels"] == GO_NAMES  # names from the Sequence(ClassLabel)
    assert info["rows"] == {"train": 36, "validation": 4, "test": 40}  # validation carved from train
    manifest = json.loads((Path(info["path"]) / "manifest.json").read_text())
    assert manifest["source_config"] == "simplified" and manifest["source_revision"] == "v1.2"
    _pull(cli, "someone/data")
    assert calls[-1] == ("someone/data", None, {})


def test_a_missing_hub_config_is_a_usage_error(cli, emoai_home, monkeypatch):
    import datasets

    def fake_load(path, name=None, **kwargs):
        raise ValueError(f"BuilderConfig '{name}' not found. Available: ['raw', 'simplified']")

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    result = cli("data", "pull", "someone/go", "--config", "nope")

    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: cannot load 'someone/go (config nope)' from the hub: BuilderConfig"
    )
    assert not (emoai_home / "data").exists()


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "text,labels,id"], "--columns names the columns of a file without a header row"),
        (["--no-header", "--columns", "text,text"], "--columns: names must be distinct"),
        (["--label-names", "no/such/names.txt"], "--label-names: no such file: no/such/names.txt"),
        (["--label-names", "a,b,a"], "--label-names: label names repeat: a"),
        (["--config", "simplified"], "--config and --revision apply to Hugging Face hub datasets only"),
        (
            ["--no-header", "--columns", "text,labels"],
            "line 1: malformed CSV row (3 fields, --columns names 2)",
        ),
    ],
)
def test_bad_options_fail_with_one_line_and_leave_nothing(cli, emoai_home, tmp_path, args, message):
    folder = _write_go_raw(tmp_path / "raw")
    result = cli("data", "pull", folder, *args)

    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert "Hint: " in result.stderr and "Traceback" not in result.stderr
    assert not (emoai_home / "data").exists()


def test_no_header_with_a_jsonl_file_is_refused(cli, emoai_home, tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", make_rows(20))
    result = cli("data", "pull", path, "--no-header")
    assert result.exit_code == 2 and "--no-header/--columns apply to csv and tsv files" in result.stderr
