"""`emoai data map` and `emoai data pull --label-map`: the kept/dropped table, JSON, and bad maps."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fixtures import write_jsonl

ROWS = [
    {"text": "so happy", "labels": ["joy"]},
    {"text": "lol", "labels": ["amusement"]},
    {"text": "happy lol", "labels": ["amusement", "joy"]},
    {"text": "rip", "labels": ["grief"]},
    {"text": "happy but rip", "labels": ["grief", "joy"]},
    {"text": "the bus is at 3", "labels": ["neutral"]},
]
MAP = "name: go2\nlabels: [sadness, joy]\nmap: {joy: joy, amusement: joy, grief: sadness}\ndrop: [neutral]\n"


@pytest.fixture
def go_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "go"
    for split, n in (("train", 10), ("validation", 2), ("test", 2)):
        rows = [dict(r, text=f"{r['text']} {split} {i}") for i in range(n) for r in ROWS]
        write_jsonl(folder / f"{split}.jsonl", rows)
    return folder


@pytest.fixture
def map_file(tmp_path: Path) -> Path:
    path = tmp_path / "go2.yaml"
    path.write_text(MAP)
    return path


def test_data_map_prints_what_was_kept_and_dropped(cli, go_folder, map_file):
    assert cli("data", "pull", go_folder, "--name", "go").exit_code == 0

    result = cli("data", "map", "go", map_file)

    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Mapped go@" in out and "→ go2@" in out and "2 labels, single-label" in out
    assert "labels disagree" in out and "only dropped labels" in out
    assert re.search(
        r"train\s+│\s+60\s+│\s+40\s+│\s+20\s+│\s+10\s+│\s+10", out
    )  # rows, kept, dropped (2 reasons)
    assert "amusement 20, joy 20" in out or "joy 20, amusement 20" in out
    assert "validation: " in result.stderr and "0 fail" in result.stderr


def test_data_map_json_and_the_mapped_version_everywhere(cli, go_folder, map_file):
    cli("data", "pull", go_folder, "--name", "go")

    info = json.loads(cli("data", "map", "go", map_file, "--name", "go-six", "--json").stdout)

    assert info["name"] == "go-six" and info["parent"].startswith("go@") and info["created"] is True
    assert info["mapping"]["train"]["dropped"] == {"labels_disagree": 10, "only_dropped_labels": 10}
    assert info["label_counts"]["train"] == {"sadness": 10, "joy": 30}
    assert info["validation"]["ok"] is True
    shown = json.loads(cli("data", "show", "go-six", "--json").stdout)
    assert shown["task"] == "single_label" and shown["source"] == info["parent"]
    assert cli("data", "validate", "go-six").exit_code == 0
    assert "go-six" in cli("data", "list").stdout


def test_pull_with_a_label_map_stores_the_source_and_the_mapped_version(cli, go_folder, map_file):
    result = cli("data", "pull", go_folder, "--label-map", map_file, "--json")

    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["name"] == "go" and info["task"] == "multi_label"
    assert info["mapped"]["name"] == "go2" and info["mapped"]["parent"] == info["ref"]
    text = cli("data", "pull", go_folder, "--label-map", map_file, "--name", "mine")
    assert "Already have go@" in text.stdout and "Mapped go@" in text.stdout and "→ mine@" in text.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("map: {joy: joy\n", "go2.yaml: not valid YAML at line 2"),
        (
            "map: {joy: joy, amusment: joy, grief: sadness}\ndrop: [neutral]\n",
            "map: unknown source label 'amusment' (did you mean amusement?)",
        ),
        ("map: {joy: 1}\n", "map.joy: target 1 is not a label name"),
        ("map: {joy: joy}\nmulti_label: agree\n", "multi_label: unknown rule 'agree'"),
        ("map: {joy: joy}\n", "unmapped: labels in neither map nor drop: amusement, grief, neutral"),
    ],
)
def test_a_bad_map_is_one_error_line_and_a_hint_exit_2(cli, go_folder, map_file, content, message):
    cli("data", "pull", go_folder, "--name", "go")
    map_file.write_text(content)

    result = cli("data", "map", "go", map_file)

    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert str(map_file) in lines[0]
    assert len(lines) == 2 and lines[1].startswith("Hint: ")


def test_pull_checks_the_map_file_before_reading_the_source(cli, go_folder, map_file, emoai_home):
    map_file.write_text("map: [joy]\n")
    result = cli("data", "pull", go_folder, "--label-map", map_file)
    assert result.exit_code == 2 and "map: expected source: target pairs" in result.stderr
    assert not (emoai_home / "data").exists()


def test_a_mapped_version_that_fails_its_checks_exits_1(cli, go_folder, tmp_path):
    cli("data", "pull", go_folder, "--name", "go")
    path = tmp_path / "one.yaml"  # joy is a target label no row maps to: class_sizes fails
    path.write_text("labels: [sadness, joy]\nmap: {grief: sadness}\nunmapped: drop\n")
    result = cli("data", "map", "go", path, "--name", "sad")
    assert result.exit_code == 1
    assert "fails validation" in result.stderr and "emoai data validate sad@" in result.stderr
