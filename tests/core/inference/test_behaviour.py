"""emoai_core.inference.behaviour and emoai_core.inference.perturb: the suite file format, its checks,
the shipped suite, and deterministic perturbations."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.inference import perturb
from emoai_core.inference.behaviour import SUITES, Expectation, load_suite, suite_files


def _file(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_shipped_suite_covers_every_kind_of_test_and_capability():
    suite = load_suite("behaviour")
    assert suite.id.startswith("behaviour@") and len(suite.digest) == 64
    assert {t.type for t in suite.tests} == {"MFT", "INV", "DIR"}
    capabilities = {t.capability for t in suite.tests}
    assert capabilities == {"vocabulary", "negation", "emoji", "robustness", "names_places", "neutral"}
    names = {t.name for t in suite.tests}
    for expected in ("negated_joy", "emoji_only_sadness", "casing", "typos", "mentions", "urls"):
        assert expected in names
    assert {"name_swap", "place_swap", "no_emotion"} <= names
    assert all(c.variants for t in suite.tests if t.type != "MFT" for c in t.cases)
    assert load_suite("behaviour").digest == suite.digest  # stable


def test_a_test_file_of_each_type(tmp_path):
    path = _file(
        tmp_path,
        """
capability: tickets
tests:
  - name: refund_anger
    type: mft
    description: angry refund requests
    expect: anger
    texts: [I want my money back NOW]
  - name: mentions_and_more
    type: INV
    perturb: [mention, url]
    append: " #help"
    cases: [{text: "so happy", variants: ["so happy :)"]}]
    texts: [the app crashed again]
  - name: sad_face
    type: DIR
    expect: {sadness: up}
    prepend: ":( "
    min_change: 0.1
    texts: [the app crashed again]
""",
    )
    suite = load_suite([str(path)])
    mft, inv, dir_ = suite.tests
    assert (mft.type, mft.capability, mft.expect) == ("MFT", "tickets", Expectation("label", ("anger",)))
    assert inv.expect is None and inv.cases[0].variants == (
        "@jess_92 the app crashed again",
        "the app crashed again @TheRealMike",
        "the app crashed again https://t.co/x7Gk2PqL0a",
        "http://bit.ly/3abcXYZ the app crashed again",
        "the app crashed again #help",
    )
    assert inv.cases[1].variants == ("so happy :)",)
    assert dir_.expect == Expectation("up", ("sadness",)) and dir_.min_change == 0.1
    assert dir_.cases[0].variants == (":( the app crashed again",)
    assert suite.id.startswith("mine@")


def test_a_folder_and_the_shipped_suite_together(tmp_path):
    folder = tmp_path / "more"
    folder.mkdir()
    _file(folder, "tests: [{name: t1, type: MFT, expect: joy, texts: [yay]}]", "a.yaml")
    _file(folder, "tests: [{name: t2, type: MFT, expect: no_emotion, texts: [the bus is late]}]", "b.yml")
    suite = load_suite(["behaviour", str(folder)])
    assert [t.name for t in suite.tests][-2:] == ["t1", "t2"] and suite.tests[-1].capability == "b"
    assert suite.id.startswith("behaviour+more@")
    assert suite_files("behaviour") == sorted((SUITES / "behaviour").glob("*.yaml"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tests: [\n", "not valid YAML"),
        ("tests: []\n", "expected 'tests:' with a list of tests"),
        ("tests: [{type: MFT, expect: joy, texts: [a]}]\n", "tests[0]: name: expected a test name"),
        ("tests: [{name: a, type: XYZ, texts: [a]}]\n", "a: type: expected one of MFT, INV, DIR, not 'XYZ'"),
        (
            "tests: [{name: a, type: MFT, expect: joy, txts: [a]}]\n",
            "unknown key 'txts' (did you mean texts?)",
        ),
        ("tests: [{name: a, type: MFT, expect: joy}]\n", "a: no texts"),
        ("tests: [{name: a, type: MFT, texts: [x]}]\n", "a: expect: expected a label"),
        ("tests: [{name: a, type: MFT, expect: {any: [joy]}, texts: [x]}]\n", "a: expect: expected a label"),
        (
            "tests: [{name: a, type: MFT, expect: joy, perturb: [typos], texts: [x]}]\n",
            "an MFT test takes texts",
        ),
        (
            "tests: [{name: a, type: INV, perturb: [typo], texts: [abcdef]}]\n",
            "unknown perturbation 'typo' (did you mean typos?)",
        ),
        ("tests: [{name: a, type: INV, expect: joy, perturb: [typos], texts: [abcdef]}]\n", "remove expect"),
        ("tests: [{name: a, type: INV, perturb: [names], texts: [no name here]}]\n", "a: no variants"),
        (
            "tests: [{name: a, type: DIR, expect: {joy: sideways}, append: '!', texts: [x]}]\n",
            "{LABEL: up} or {LABEL: down}",
        ),
        (
            "tests: [{name: a, type: DIR, expect: {joy: up}, append: '!', texts: [x], min_change: 2}]\n",
            "min_change",
        ),
        (
            "tests: [{name: a, type: INV, cases: [{text: x, variant: [y]}]}]\n",
            "cases[0]: expected {text: ..., variants: [...]}",
        ),
        (
            "tests: [{name: a, type: MFT, expect: joy, texts: [x]}, {name: a, type: MFT, expect: joy, texts: [y]}]\n",
            "test name 'a' is also used in",
        ),
    ],
)
def test_a_bad_file_is_one_usage_error_naming_the_file(tmp_path, text, message):
    path = _file(tmp_path, text)
    with pytest.raises(UsageError) as err:
        load_suite([str(path)])
    assert str(path) in err.value.message and message in err.value.message, err.value.message


def test_an_unknown_suite_names_the_shipped_ones(tmp_path):
    with pytest.raises(UsageError, match="no behavioural suite 'behavior'") as err:
        load_suite("behavior")
    assert "shipped suites: behaviour" in err.value.hint
    with pytest.raises(UsageError, match="no .yaml test files"):
        load_suite(str(tmp_path))


def test_perturbations_are_deterministic_and_only_apply_where_they_can():
    text = "John loves his new flat in London, so happy!"
    assert perturb.typos(text) == perturb.typos(text) and len(perturb.typos(text)) == 2
    assert all(len(v) == len(text) and v != text for v in perturb.typos(text))
    assert perturb.names(text) == [
        "Maria loves his new flat in London, so happy!",
        "Ahmed loves his new flat in London, so happy!",
    ]
    assert perturb.places(text)[0] == "John loves his new flat in Lagos, so happy!"
    assert perturb.places("a trip to Mexico City") == ["a trip to Sydney", "a trip to Cairo"]
    assert perturb.names("nobody here") == [] and perturb.lowercase("already lower") == []
    assert perturb.no_punctuation(text) == ["John loves his new flat in London so happy"]
    assert perturb.exclamations("so happy.") == ["so happy!!!"]
    assert perturb.variants(text, ["uppercase", "lowercase"], append=" x") == [
        text.upper(),
        text.lower(),
        text + " x",
    ]


def test_the_readme_example_file_is_a_valid_suite(tmp_path):
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    example = readme.split("A test file:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    suite = load_suite([str(_file(tmp_path, example, "support_tickets.yaml"))])
    assert [t.type for t in suite.tests] == ["MFT", "INV", "DIR"]
    assert suite.tests[1].cases[0].variants[-1].endswith("(ticket #4821)")
