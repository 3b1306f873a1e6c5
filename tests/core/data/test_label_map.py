"""emoai_core.data.label_map: the label-map file format, its checks, and what each rule does to a row."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.data.label_map import DROP_REASONS, load_mapping

REPO = Path(__file__).resolve().parents[3]
SHIPPED = REPO / "examples" / "label_maps" / "goemotions_to_emotion.yaml"
GOEMOTIONS = [
    "admiration",
    "amusement",
    "anger",
    "annoyance",
    "approval",
    "caring",
    "confusion",
    "curiosity",
    "desire",
    "disappointment",
    "disapproval",
    "disgust",
    "embarrassment",
    "excitement",
    "fear",
    "gratitude",
    "grief",
    "joy",
    "love",
    "nervousness",
    "optimism",
    "pride",
    "realization",
    "relief",
    "remorse",
    "sadness",
    "surprise",
    "neutral",
]


def _map(tmp_path: Path, text: str):
    path = tmp_path / "map.yaml"
    path.write_text(text)
    return load_mapping(path)


BASE = """
map: {grief: sadness, sadness: sadness, joy: joy, amusement: joy, anger: anger}
drop: [neutral]
"""


def test_a_file_is_read_with_its_defaults_text_and_hash(tmp_path):
    m = _map(tmp_path, BASE)
    assert m.mapping == {
        "grief": "sadness",
        "sadness": "sadness",
        "joy": "joy",
        "amusement": "joy",
        "anger": "anger",
    }
    assert m.drop == ("neutral",)
    assert (m.unmapped, m.dropped_labels, m.multi_label) == ("error", "ignore", "keep_if_agree")
    assert m.text == BASE and len(m.sha256) == 64
    assert m.target_names([]) == ["sadness", "joy", "anger"]  # targets as they first appear


@pytest.mark.parametrize(
    ("labels", "rule", "expected"),
    [
        (["grief", "sadness"], "keep_if_agree", ("sadness", None)),
        (["joy", "grief"], "keep_if_agree", (None, "labels_disagree")),
        (["joy", "neutral"], "keep_if_agree", ("joy", None)),  # a dropped label is ignored by default
        (["neutral"], "keep_if_agree", (None, "only_dropped_labels")),
        ([], "keep_if_agree", (None, "no_label")),
        (["joy", "amusement"], "keep_if_single", (None, "several_labels")),
        (["joy", "neutral"], "keep_if_single", ("joy", None)),
        (["joy", "amusement", "grief"], "majority", ("joy", None)),
        (["joy", "grief"], "majority", (None, "tie")),
        (["amusement", "joy", "grief"], "keep", (["joy", "sadness"], None)),
        ([], "keep", ([], None)),
        (["neutral"], "keep", (None, "only_dropped_labels")),
    ],
)
def test_each_multi_label_rule(tmp_path, labels, rule, expected):
    m = _map(tmp_path, BASE + f"multi_label: {rule}\n")
    assert m.map_row(labels, "multi_label") == expected
    assert expected[1] is None or expected[1] in DROP_REASONS


def test_drop_row_drops_a_row_with_any_dropped_label(tmp_path):
    m = _map(tmp_path, BASE + "dropped_labels: drop_row\n")
    assert m.map_row(["joy", "neutral"], "multi_label") == (None, "dropped_label")
    assert m.map_row(["joy", "amusement"], "multi_label") == ("joy", None)


def test_unmapped_labels_are_dropped_or_kept_as_the_file_says(tmp_path):
    drop = _map(tmp_path, BASE + "unmapped: drop\n")
    assert drop.map_row(["joy", "fear"], "multi_label") == ("joy", None)
    assert drop.map_row("fear", "single_label") == (None, "unmapped_label")
    keep = _map(tmp_path, BASE + "unmapped: keep\nmulti_label: keep\n")
    assert keep.map_row(["joy", "fear"], "multi_label") == (["fear", "joy"], None)
    assert keep.target_names(["fear", "joy", "neutral", "zeal"]) == [
        "sadness",
        "joy",
        "anger",
        "fear",
        "zeal",
    ]


def test_single_label_rows_are_renamed_merged_and_dropped(tmp_path):
    m = _map(tmp_path, BASE)
    assert m.map_row("grief", "single_label") == ("sadness", None)
    assert m.map_row("neutral", "single_label") == (None, "dropped_label")
    assert m.map_row(None, "single_label") == (None, None)  # unlabelled stays unlabelled
    assert m.output_task("single_label") == "single_label"
    assert m.output_task("multi_label") == "single_label"
    assert _map(tmp_path, BASE + "multi_label: keep\n").output_task("multi_label") == "multi_label"


def test_labels_sets_the_order_of_the_targets(tmp_path):
    m = _map(tmp_path, BASE + "labels: [anger, joy, sadness, fear]\n")
    assert m.target_names([]) == ["anger", "joy", "sadness", "fear"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("map: {joy: joy\n", "not valid YAML at line"),
        ("- joy\n", "expected a mapping with a 'map' key"),
        ("mapp: {joy: joy}\n", "unknown key 'mapp' (did you mean map?)"),
        ("map: {}\n", "map: expected source: target pairs"),
        ("map: {joy: 3}\n", "map.joy: target 3 is not a label name (a string)"),
        ("map: {joy: [a, b]}\n", "map.joy: target ['a', 'b'] is not a label name"),
        ("map: {joy: }\n", "map.joy: no target"),
        ("map: {yes: joy}\n", "map: source label True is not a string"),
        (
            "map: {joy: joy}\nmulti_label: keep_if_agreed\n",
            "multi_label: unknown rule 'keep_if_agreed' (did you mean keep_if_agree?)",
        ),
        ("map: {joy: joy}\nunmapped: ignore\n", "unmapped: unknown rule 'ignore'"),
        ("map: {joy: joy}\ndropped_labels: keep\n", "dropped_labels: unknown rule 'keep'"),
        ("map: {joy: joy}\ndrop: neutral\n", "drop: expected a list of label names"),
        ("map: {joy: joy}\ndrop: [joy]\n", "drop: 'joy' is also in map"),
        ("map: {joy: joy}\ndrop: [a, a]\n", "drop: 'a' is listed twice"),
        ("map: {joy: glee}\nlabels: [joy]\n", "map.joy: target 'glee' is not in labels"),
        ("map: {joy: joy}\nname: [x]\n", "name: expected a string"),
    ],
)
def test_a_bad_file_is_one_usage_error_naming_the_file_and_key(tmp_path, text, message):
    with pytest.raises(UsageError) as err:
        _map(tmp_path, text)
    assert str(tmp_path / "map.yaml") in err.value.message
    assert message in err.value.message
    assert "\n" not in err.value.message


def test_a_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="label map not found"):
        load_mapping(tmp_path / "nope.yaml")


def test_the_map_is_checked_against_the_data_labels(tmp_path):
    m = _map(tmp_path, "map: {sadnes: sadness}\n")
    with pytest.raises(UsageError, match=r"map: unknown source label 'sadnes' \(did you mean sadness\?\)"):
        m.check_against(["sadness", "joy"])
    m = _map(tmp_path, "map: {joy: joy}\ndrop: [neutrl]\n")
    with pytest.raises(UsageError, match="drop: unknown source label 'neutrl'"):
        m.check_against(["joy", "neutral"])
    m = _map(tmp_path, "map: {joy: joy}\n")
    with pytest.raises(UsageError, match="unmapped: labels in neither map nor drop: fear, love") as err:
        m.check_against(["joy", "fear", "love"])
    assert "unmapped: drop" in err.value.hint
    _map(tmp_path, "map: {joy: joy}\nunmapped: drop\n").check_against(["joy", "fear"])


def test_the_shipped_goemotions_map_places_every_label_onto_the_six():
    m = load_mapping(SHIPPED)
    m.check_against(GOEMOTIONS)  # every label mapped or dropped, none unknown
    assert len(m.mapping) + len(m.drop) == 28
    assert m.target_names(GOEMOTIONS) == ["sadness", "joy", "love", "anger", "fear", "surprise"]
    assert "neutral" in m.drop and m.unmapped == "error" and m.multi_label == "keep_if_agree"
    assert m.map_row(["grief", "remorse"], "multi_label") == ("sadness", None)
    assert m.map_row(["caring"], "multi_label") == ("love", None)
    assert m.map_row(["joy", "neutral"], "multi_label") == (None, "dropped_label")


def test_the_readme_example_is_a_valid_map(tmp_path):
    readme = (REPO / "README.md").read_text()
    example = readme.split("```yaml\nname: goemotions6", 1)[1].split("```", 1)[0]
    m = _map(tmp_path, "name: goemotions6" + example)
    assert m.mapping == {"grief": "sadness", "caring": "love", "disgust": "anger"}
    assert (m.drop, m.unmapped, m.dropped_labels, m.multi_label) == (
        ("neutral", "desire"),
        "error",
        "ignore",
        "keep_if_agree",
    )
