"""Behavioural test suites (as CheckList and Made-With-ML's `tests/model`): YAML files of minimum-
functionality (MFT), invariance (INV) and directional (DIR) tests, read and checked here.

    capability: negation            # what the file's tests probe (default: the file's name)
    tests:
      - name: negated_joy           # unique in the suite; logged as behaviour_<name>_failure_rate
        type: MFT
        description: a negated good feeling is not joy
        expect: {none_of: [joy]}    # MFT: LABEL | {any_of: [..]} | {none_of: [..]} | no_emotion
        texts: ["i am not happy at all", "this is not good"]
      - name: typos
        type: INV                   # the answer must not change
        perturb: [typos, mention]   # named perturbations (emoai_core.inference.perturb), and/or
        append: " #fml"             # append / prepend a string, and/or explicit
        cases: [{text: "...", variants: ["...", "..."]}]
        texts: ["..."]
      - name: sad_emoji
        type: DIR                   # a label's score must move: up or down, by min_change (0.05)
        expect: {sadness: up}
        append: " 😢"
        texts: ["the exam is tomorrow"]

`--suite behaviour` is the suite shipped in `suites/behaviour/`; any file or folder of files can be
named instead or as well.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError, close_matches
from emoai_core.inference.perturb import PERTURBATIONS, variants

SUITES = Path(__file__).resolve().parent / "suites"
TYPES = ("MFT", "INV", "DIR")
TEST_KEYS = (
    "name",
    "type",
    "description",
    "expect",
    "texts",
    "cases",
    "perturb",
    "append",
    "prepend",
    "min_change",
)
NO_EMOTION = "no_emotion"
MIN_CHANGE = 0.05


@dataclass(frozen=True)
class Expectation:
    """What an MFT answer must be (`kind` label | any_of | none_of | no_emotion), or for a DIR test
    which label's score must move which way (`kind` up | down)."""

    kind: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    text: str
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class BehaviourTest:
    name: str
    type: str
    capability: str
    description: str
    cases: tuple[Case, ...]
    expect: Expectation | None = None
    min_change: float = MIN_CHANGE
    file: str = ""


@dataclass(frozen=True)
class Suite:
    names: tuple[str, ...]  # what was asked for: 'behaviour', or files and folders
    files: tuple[str, ...]
    tests: tuple[BehaviourTest, ...]
    digest: str = ""  # sha256 of the files' contents: the same digest, the same tests

    @property
    def id(self) -> str:
        return f"{'+'.join(Path(n).stem for n in self.names)}@{self.digest[:12]}"


def suite_files(spec: str) -> list[Path]:
    """A shipped suite's name, a YAML file, or a folder of them (sorted)."""
    shipped = SUITES / spec
    path = shipped if "/" not in spec and shipped.is_dir() else Path(spec).expanduser()
    if path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not files:
            raise UsageError(f"no .yaml test files in {path}", "a suite folder holds one or more test files")
        return files
    if path.is_file():
        return [path]
    shipped_names = sorted(p.name for p in SUITES.iterdir() if p.is_dir())
    raise UsageError(
        f"no behavioural suite '{spec}'",
        f"shipped suites: {', '.join(shipped_names)}; or a YAML file or folder",
    )


def load_suite(specs: list[str] | str = "behaviour") -> Suite:
    """Read every file of every spec; any problem is one UsageError naming the file and the key."""
    import yaml

    specs = [specs] if isinstance(specs, str) else list(specs)
    files = [f for spec in specs for f in suite_files(spec)]
    tests: list[BehaviourTest] = []
    digest = hashlib.sha256()
    seen: dict[str, str] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        digest.update(path.name.encode() + b"\0" + text.encode() + b"\0")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark else ""
            raise UsageError(f"{path}: not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
        if not isinstance(data, dict) or not isinstance(data.get("tests"), list) or not data["tests"]:
            raise UsageError(
                f"{path}: expected 'tests:' with a list of tests", "see the README's behavioural suite"
            )
        capability = data.get("capability") or path.stem
        for i, spec in enumerate(data["tests"]):
            test = _test(f"{path}: tests[{i}]", spec, str(capability), str(path))
            if test.name in seen:
                raise UsageError(f"{path}: test name '{test.name}' is also used in {seen[test.name]}")
            seen[test.name] = str(path)
            tests.append(test)
    return Suite(tuple(specs), tuple(str(f) for f in files), tuple(tests), digest.hexdigest())


def _test(where: str, spec: Any, capability: str, file: str) -> BehaviourTest:
    if not isinstance(spec, dict):
        raise UsageError(f"{where}: expected a mapping (name, type, texts, ...)")
    for key in spec:
        if key not in TEST_KEYS:
            near = close_matches(str(key), list(TEST_KEYS))
            raise UsageError(
                f"{where}: unknown key '{key}'" + (f" (did you mean {near[0]}?)" if near else "")
            )
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"{where}: name: expected a test name (a string)")
    where = f"{where.rsplit(': ', 1)[0]}: {name}"
    kind = str(spec.get("type", "")).upper()
    if kind not in TYPES:
        raise UsageError(f"{where}: type: expected one of {', '.join(TYPES)}, not {spec.get('type')!r}")
    perturb = _strings(where, "perturb", spec.get("perturb", []))
    for p in perturb:
        if p not in PERTURBATIONS:
            near = close_matches(p, list(PERTURBATIONS))
            raise UsageError(
                f"{where}: perturb: unknown perturbation '{p}'"
                + (f" (did you mean {near[0]}?)" if near else ""),
                f"perturbations: {', '.join(PERTURBATIONS)}",
            )
    append, prepend = (_optional_string(where, key, spec.get(key)) for key in ("append", "prepend"))
    if kind == "MFT" and (perturb or append or prepend or spec.get("cases")):
        raise UsageError(f"{where}: an MFT test takes texts and expect, not perturb/append/prepend/cases")
    cases = [
        Case(t, tuple(variants(t, perturb, append, prepend)))
        for t in _strings(where, "texts", spec.get("texts", []))
    ]
    cases += _explicit(where, spec.get("cases", []))
    if not cases:
        raise UsageError(f"{where}: no texts (give texts: [...] or cases: [...])")
    if kind != "MFT" and not any(c.variants for c in cases):
        raise UsageError(f"{where}: no variants: give perturb, append, prepend or cases with variants")
    expect = _expect(where, kind, spec.get("expect"))
    min_change = spec.get("min_change", MIN_CHANGE)
    if not isinstance(min_change, int | float) or isinstance(min_change, bool) or not 0 <= min_change < 1:
        raise UsageError(f"{where}: min_change: expected a number from 0 to 1")
    description = spec.get("description") or ""
    return BehaviourTest(
        name, kind, capability, str(description), tuple(cases), expect, float(min_change), file
    )


def _strings(where: str, key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(f"{where}: {key}: expected a list of strings")
    return list(value)


def _optional_string(where: str, key: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{where}: {key}: expected a string")
    return value


def _explicit(where: str, cases: Any) -> list[Case]:
    if not isinstance(cases, list):
        raise UsageError(f"{where}: cases: expected a list of {{text: ..., variants: [...]}}")
    out = []
    for j, case in enumerate(cases):
        if (
            not isinstance(case, dict)
            or not isinstance(case.get("text"), str)
            or set(case) - {"text", "variants"}
        ):
            raise UsageError(f"{where}: cases[{j}]: expected {{text: ..., variants: [...]}}")
        out.append(
            Case(case["text"], tuple(_strings(f"{where}: cases[{j}]", "variants", case.get("variants", []))))
        )
    return out


def _expect(where: str, kind: str, value: Any) -> Expectation | None:
    if kind == "INV":
        if value is not None:
            raise UsageError(f"{where}: expect: an INV test expects the answer not to change; remove expect")
        return None
    if kind == "DIR":
        if not isinstance(value, dict) or len(value) != 1:
            raise UsageError(f"{where}: expect: a DIR test expects {{LABEL: up}} or {{LABEL: down}}")
        ((label, way),) = value.items()
        if way not in ("up", "down") or not isinstance(label, str):
            raise UsageError(
                f"{where}: expect: a DIR test expects {{LABEL: up}} or {{LABEL: down}}, not {value!r}"
            )
        return Expectation(way, (label,))
    if value == NO_EMOTION:
        return Expectation(NO_EMOTION)
    if isinstance(value, str) and value.strip():
        return Expectation("label", (value,))
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("any_of", "none_of"):
        ((key, labels),) = value.items()
        return Expectation(key, tuple(_strings(f"{where}: expect", key, labels)))
    raise UsageError(
        f"{where}: expect: expected a label, {{any_of: [...]}}, {{none_of: [...]}} or no_emotion, not {value!r}"
    )
