"""`emoai data list / show / validate`, version references, and the real dair-ai/emotion data."""

from __future__ import annotations

import json

from fixtures import make_rows, write_jsonl


def test_list_empty_then_filled(cli, split_folder):
    empty = cli("data", "list")
    assert empty.exit_code == 0 and "No data versions yet" in empty.stderr
    cli("data", "pull", split_folder, "--name", "gen")
    listed = json.loads(cli("data", "list", "--json").stdout)
    assert [(v["name"], v["rows"]["train"]) for v in listed] == [("gen", 120)]
    assert "gen" in cli("data", "list").stdout


def test_references_by_name_prefix_and_errors(cli, split_folder, tmp_path):
    from emoai_core.data.versions import resolve_version

    first = json.loads(cli("data", "pull", split_folder, "--name", "gen", "--json").stdout)
    write_jsonl(split_folder / "test.jsonl", make_rows(31, seed=9))
    second = json.loads(cli("data", "pull", split_folder, "--name", "gen", "--json").stdout)
    assert resolve_version("gen").version == second["version"]  # latest
    assert resolve_version(f"gen@{first['version'][:6]}").version == first["version"]
    unknown = cli("data", "show", "gne")
    assert (
        unknown.exit_code == 2 and "no data version named 'gne'" in unknown.stderr and "gen" in unknown.stderr
    )
    bad_version = cli("data", "show", "gen@zzzz")
    assert bad_version.exit_code == 2 and "has no version 'zzzz'" in bad_version.stderr


def test_show_json(cli, split_folder):
    cli("data", "pull", split_folder, "--name", "gen")
    info = json.loads(cli("data", "show", "gen", "--json").stdout)
    assert info["splits"]["train"]["rows"] == 120
    assert set(info["splits"]["train"]["words"]) == {"p5", "p25", "p50", "p75", "p95", "max"}
    assert "train&test" in info["shared_texts"]


def _pull_rows(cli, tmp_path, train, validation, test=None):
    folder = tmp_path / "bad-data"
    write_jsonl(folder / "train.jsonl", train)
    write_jsonl(folder / "validation.jsonl", validation)
    write_jsonl(folder / "test.jsonl", test if test is not None else validation)
    result = cli("data", "pull", folder, "--name", "bad", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["ref"]


def _checks(cli, ref):
    result = cli("data", "validate", ref, "--json")
    report = json.loads(result.stdout)
    return result.exit_code, {c["name"]: c for c in report["checks"]}


def test_validate_clean_data_passes(cli, split_folder):
    cli("data", "pull", split_folder, "--name", "gen")
    code, checks = _checks(cli, "gen")
    assert code == 0
    assert checks["empty_text"]["status"] == "pass" and checks["missing_label"]["status"] == "pass"


def test_validate_flags_empty_text_and_missing_label(cli, tmp_path):
    train = make_rows(120) + [{"text": "   ", "label": "joy"}, {"text": "no label here", "label": None}]
    code, checks = _checks(cli, _pull_rows(cli, tmp_path, train, make_rows(30, seed=1)))
    assert code == 1
    assert checks["empty_text"]["status"] == "fail" and checks["empty_text"]["examples"] == ["train row 121"]
    assert (
        checks["missing_label"]["status"] == "fail"
        and "1 rows without a label" in checks["missing_label"]["detail"]
    )


def test_validate_flags_label_outside_set_and_mismatched_sets(cli, tmp_path):
    folder = tmp_path / "ints"
    labels = ["neg", "pos"]
    write_jsonl(folder / "train.jsonl", [{"text": f"t{i}", "label": i % 2} for i in range(40)])
    write_jsonl(folder / "validation.jsonl", [{"text": f"v{i}", "label": 7} for i in range(5)])
    write_jsonl(folder / "test.jsonl", [{"text": f"x{i}", "label": 0} for i in range(5)])
    (folder / "labels.txt").write_text("\n".join(labels))
    ref = json.loads(cli("data", "pull", folder, "--json").stdout)["ref"]
    code, checks = _checks(cli, ref)
    assert code == 1
    assert checks["label_in_set"]["status"] == "fail" and "7" in checks["label_in_set"]["detail"]
    assert checks["label_sets_match"]["status"] == "fail"


def test_validate_flags_tiny_classes(cli, tmp_path):
    train = [{"text": f"big {i}", "label": "joy"} for i in range(30)] + [
        {"text": "only one", "label": "fear"}
    ]
    code, checks = _checks(cli, _pull_rows(cli, tmp_path, train, [{"text": "v", "label": "joy"}]))
    assert (
        code == 1
        and checks["class_sizes"]["status"] == "fail"
        and "fear (1)" in checks["class_sizes"]["detail"]
    )


def test_validate_warns_on_duplicates_and_shared_texts(cli, tmp_path):
    train = make_rows(120) + [{"text": "same text", "label": "joy"}] * 3
    val = make_rows(30, seed=1) + [{"text": "same text", "label": "joy"}]
    code, checks = _checks(cli, _pull_rows(cli, tmp_path, train, val))
    assert code == 0
    assert (
        checks["duplicates"]["status"] == "warn"
        and "train: 2 repeated rows" in checks["duplicates"]["detail"]
    )
    assert checks["shared_across_splits"]["status"] == "warn"
    table = cli("data", "validate", "bad")
    assert table.exit_code == 0 and "warn" in table.stdout


def test_real_emotion_data(cli, emotion_dir):
    first = cli("data", "pull", emotion_dir, "--json")
    assert first.exit_code == 0, first.stderr
    info = json.loads(first.stdout)
    assert info["name"] == "emotion"
    assert info["rows"] == {"train": 16000, "validation": 2000, "test": 2000}
    again = cli("data", "pull", emotion_dir)
    assert f"Already have emotion@{info['version']}" in again.stdout

    shown = json.loads(cli("data", "show", "emotion", "--json").stdout)
    counts = shown["splits"]["train"]["label_counts"]
    assert counts == {
        "joy": 5362,
        "sadness": 4666,
        "anger": 2159,
        "fear": 1937,
        "love": 1304,
        "surprise": 572,
    }
    assert shown["splits"]["train"]["duplicates"]["extra_copies"] == 31
    assert shown["splits"]["validation"]["duplicates"]["extra_copies"] == 2
    assert shown["shared_texts"] == {"train&validation": 5, "train&test": 11, "validation&test": 3}
    table = cli("data", "show", "emotion")
    assert "5,362" in table.stdout and "surprise" in table.stdout

    code, checks = _checks(cli, "emotion")
    assert code == 0
    assert {n: c["status"] for n, c in checks.items()} == {
        "schema": "pass",
        "validation_split": "pass",
        "empty_text": "pass",
        "missing_label": "pass",
        "label_in_set": "pass",
        "label_sets_match": "pass",
        "class_sizes": "pass",
        "duplicates": "warn",
        "shared_across_splits": "warn",
    }
    assert "train: 31 repeated rows" in checks["duplicates"]["detail"]
    assert "train&test 11" in checks["shared_across_splits"]["detail"]
