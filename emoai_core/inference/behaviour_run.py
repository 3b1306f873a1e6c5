"""Running a behavioural suite against a model: each test's failure rate, logged to the run.

A model's *answer* to a text is the set of labels it gives: a single-label model's top label; a
multi-label model's labels at or above their thresholds (nothing, when none passes). A case fails:
- MFT: when the answer is not what `expect` says (`no_emotion`: the answer is empty or only a
  neutral label — a model with neither a neutral label nor a way to answer nothing fails every such
  case, and the test says why);
- INV: when any variant's answer differs from the original's;
- DIR: when the label's score does not move at least `min_change` the expected way on every variant.
Cases that name only labels the model does not have are skipped, and counted as such.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emoai_core.inference.behaviour import NO_EMOTION, BehaviourTest, Suite
from emoai_core.model.labels import LabelMap, metric_key

NEUTRAL_NAMES = ("neutral", "no emotion", "no_emotion", "none")
EXAMPLES = 3
PASS_RATE = "behaviour_pass_rate"
SUITE_TAG = "emoai.behaviour.suite"


@dataclass
class TestResult:
    name: str
    type: str
    capability: str
    description: str
    cases: int  # applicable cases
    failed: int
    skipped: int = 0
    note: str | None = None
    examples: list[dict[str, Any]] = field(default_factory=list)  # the first failures

    @property
    def failure_rate(self) -> float | None:
        return self.failed / self.cases if self.cases else None

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"failure_rate": self.failure_rate}


@dataclass
class BehaviourReport:
    model: str
    suite: str  # Suite.id
    files: list[str]
    labels: list[str]
    task: str
    tests: list[TestResult]
    seconds: float
    run_id: str | None = None

    @property
    def cases(self) -> int:
        return sum(t.cases for t in self.tests)

    @property
    def failed(self) -> int:
        return sum(t.failed for t in self.tests)

    @property
    def pass_rate(self) -> float:
        """Share of every applicable case, over all tests, that passed."""
        return 1 - self.failed / self.cases if self.cases else 1.0

    def capabilities(self) -> dict[str, dict[str, Any]]:
        """Per capability: tests, cases, failed cases and the failure rate."""
        out: dict[str, dict[str, Any]] = {}
        for t in self.tests:
            c = out.setdefault(t.capability, {"tests": 0, "cases": 0, "failed": 0})
            c["tests"] += 1
            c["cases"] += t.cases
            c["failed"] += t.failed
        for c in out.values():
            c["failure_rate"] = c["failed"] / c["cases"] if c["cases"] else None
        return out

    def metrics(self) -> dict[str, float]:
        """`behaviour_<test>_failure_rate` for each test that had cases, and `behaviour_pass_rate`."""
        out = {f"behaviour_{metric_key(t.name)}_failure_rate": t.failure_rate for t in self.tests if t.cases}
        return {k: float(v) for k, v in out.items() if v is not None} | {PASS_RATE: self.pass_rate}

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "run_id": self.run_id,
            "suite": self.suite,
            "files": self.files,
            "task": self.task,
            "labels": self.labels,
            "cases": self.cases,
            "failed": self.failed,
            "pass_rate": self.pass_rate,
            "seconds": self.seconds,
            "capabilities": self.capabilities(),
            "tests": [t.to_json() for t in self.tests],
        }


def neutral_labels(labels: LabelMap) -> set[str]:
    return {n for n in labels.names if n.strip().lower() in NEUTRAL_NAMES}


def can_say_no_emotion(labels: LabelMap) -> bool:
    """A neutral label, or a multi-label model (it can answer nothing)."""
    return labels.multi_label or bool(neutral_labels(labels))


def answers(probs: np.ndarray, labels: LabelMap) -> list[frozenset[str]]:
    """Each row's answer: the top label, or a multi-label model's labels at or above their thresholds."""
    if not labels.multi_label:
        return [frozenset([labels.names[i]]) for i in probs.argmax(axis=1)]
    cuts = np.asarray(labels.decision_thresholds())
    return [frozenset(n for n, p, c in zip(labels.names, row, cuts, strict=True) if p >= c) for row in probs]


def run_suite(
    predict_proba: Callable[[list[str]], np.ndarray],
    labels: LabelMap,
    suite: Suite,
    model: str = "",
    run_id: str | None = None,
) -> BehaviourReport:
    """Score every case of `suite` with one batched call of `predict_proba`."""
    started = time.time()
    texts = list(dict.fromkeys(t for test in suite.tests for c in test.cases for t in (c.text, *c.variants)))
    probs = predict_proba(texts) if texts else np.zeros((0, len(labels)))
    row = {t: i for i, t in enumerate(texts)}
    given = answers(probs, labels)
    results = [_score(test, labels, lambda t: probs[row[t]], lambda t: given[row[t]]) for test in suite.tests]
    return BehaviourReport(
        model,
        suite.id,
        list(suite.files),
        list(labels.names),
        labels.task,
        results,
        time.time() - started,
        run_id,
    )


def _score(test: BehaviourTest, labels: LabelMap, scores: Callable, answer: Callable) -> TestResult:
    result = TestResult(test.name, test.type, test.capability, test.description, 0, 0)
    known = [n for n in (test.expect.labels if test.expect else ()) if n in labels]
    if test.expect and test.expect.labels and not known:
        result.skipped, result.note = (
            len(test.cases),
            f"the model has none of {', '.join(test.expect.labels)}",
        )
        return result
    if test.expect and test.expect.kind == NO_EMOTION and not can_say_no_emotion(labels):
        result.note = (
            f"the model cannot say 'no emotion': it has no neutral label and always answers one of its "
            f"{len(labels)} labels"
        )
    for case in test.cases:
        if test.type != "MFT" and not case.variants:
            result.skipped += 1
            continue
        failure = _failure(test, known, labels, case, scores, answer)
        result.cases += 1
        if failure is not None:
            result.failed += 1
            if len(result.examples) < EXAMPLES:
                result.examples.append(failure)
    return result


def _failure(
    test: BehaviourTest, known: list[str], labels: LabelMap, case: Any, scores: Callable, answer: Callable
):
    """None when the case passes, else what the model did instead."""
    got = sorted(answer(case.text))
    if test.type == "MFT":
        kind = test.expect.kind
        ok = {
            "label": lambda: bool(set(known) & set(got)),
            "any_of": lambda: bool(set(known) & set(got)),
            "none_of": lambda: not set(known) & set(got),
            NO_EMOTION: lambda: set(got) <= neutral_labels(labels),
        }[kind]()
        return None if ok else {"text": case.text, "answer": got}
    if test.type == "INV":
        changed = [v for v in case.variants if answer(v) != frozenset(got)]
        return (
            {
                "text": case.text,
                "answer": got,
                "variant": changed[0],
                "variant_answer": sorted(answer(changed[0])),
            }
            if changed
            else None
        )
    label = known[0]
    index = labels.label2id[label]
    before = float(scores(case.text)[index])
    sign = 1 if test.expect.kind == "up" else -1
    for v in case.variants:
        after = float(scores(v)[index])
        if sign * (after - before) < test.min_change:
            return {
                "text": case.text,
                "variant": v,
                "label": label,
                "before": round(before, 4),
                "after": round(after, 4),
            }
    return None


def evaluate_behaviour(
    model_dir: Path, suite: Suite, model: str = "", run_id: str | None = None
) -> BehaviourReport:
    """The suite on a model folder (ONNX or Hugging Face)."""
    from emoai_core.inference.predict import load_predictor

    predictor = load_predictor(Path(model_dir))
    return run_suite(predictor.predict_proba, predictor.label_map, suite, model or str(model_dir), run_id)


def log_behaviour(run_id: str, report: BehaviourReport) -> None:
    """The metrics, the suite's id as a tag, and `evaluation/behaviour.json` as an artifact of the run."""
    import json
    import tempfile

    from mlflow.entities import Metric, RunTag

    from emoai_core.tracking.store import client

    mlflow = client()
    now = int(time.time() * 1000)
    metrics = [Metric(k, v, now, 0) for k, v in report.metrics().items()]
    mlflow.log_batch(run_id, metrics=metrics, tags=[RunTag(SUITE_TAG, report.suite)])
    with tempfile.TemporaryDirectory(prefix="emoai-behaviour-") as tmp:
        path = Path(tmp) / "behaviour.json"
        path.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
        mlflow.log_artifact(run_id, str(path), artifact_path="evaluation")
