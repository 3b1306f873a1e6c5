"""emoai_core.monitoring.drift: the named statistics on constructed data with known drift and known no-drift."""

from __future__ import annotations

import random

from emoai_core.monitoring.drift import (
    ALPHA,
    MIN_EFFECT,
    MIN_SAMPLES,
    categorical,
    continuous,
    drift_checks,
    label_values,
    verdict,
)

LABELS = ["sadness", "joy", "love", "anger", "fear", "surprise"]
MIX = [0.29, 0.33, 0.08, 0.14, 0.12, 0.04]


def _sample(n: int, seed: int, *, labels=MIX, length=90.0, score=0.8, unk=0.01) -> list[dict]:
    rng = random.Random(seed)
    return [
        {
            "label": rng.choices(LABELS, labels)[0],
            "score": min(1.0, max(0.0, rng.gauss(score, 0.1))),
            "chars": max(1, int(rng.gauss(length, 40))),
            "unk": max(0.0, rng.gauss(unk, 0.01)),
        }
        for _ in range(n)
    ]


def _profile(records: list[dict]) -> dict[str, list]:
    return {
        "labels": label_values(records),
        "score": [r["score"] for r in records],
        "chars": [r["chars"] for r in records],
        "unk": [r["unk"] for r in records],
    }


def test_the_same_distribution_does_not_drift():
    checks = drift_checks(_sample(500, seed=1), _profile(_sample(1000, seed=2)))
    assert [c.name for c in checks] == ["label distribution", "confidence", "text length", "unknown-token share"]
    assert [c.drift for c in checks] == [False] * 4
    assert verdict(checks) is False
    assert all(c.p_value is not None and c.p_value > ALPHA for c in checks)


def test_a_shift_in_every_quantity_drifts_and_says_by_how_much():
    served = _sample(300, seed=3, labels=[0.05, 0.05, 0.05, 0.7, 0.1, 0.05], length=400, score=0.45, unk=0.3)
    checks = drift_checks(served, _profile(_sample(1000, seed=2)))
    assert [c.drift for c in checks] == [True] * 4
    assert verdict(checks) is True
    labels = checks[0]
    assert labels.test.startswith("chi-square") and labels.effect >= MIN_EFFECT and labels.p_value < ALPHA
    assert labels.served["anger"] > 0.6 and labels.reference["anger"] < 0.2
    length = checks[2]
    assert length.test.startswith("Kolmogorov-Smirnov") and length.served > 300 > length.reference


def test_only_one_quantity_drifts():
    served = _sample(400, seed=4, unk=0.25)  # code or another language: unknown tokens, same labels
    checks = {c.name: c.drift for c in drift_checks(served, _profile(_sample(1000, seed=2)))}
    assert checks == {"label distribution": False, "confidence": False, "text length": False, "unknown-token share": True}


def test_a_tiny_but_significant_difference_is_not_drift():
    rng = random.Random(5)
    served = [rng.gauss(0.0, 1.0) + 0.05 for _ in range(20000)]
    reference = [rng.gauss(0.0, 1.0) for _ in range(20000)]
    check = continuous("x", served, reference)
    assert check.p_value < ALPHA and check.effect < MIN_EFFECT and check.drift is False


def test_too_few_texts_give_no_verdict():
    few = _sample(MIN_SAMPLES - 1, seed=6, labels=[1, 0, 0, 0, 0, 0])
    checks = drift_checks(few, _profile(_sample(1000, seed=2)))
    assert [c.drift for c in checks] == [None] * 4 and verdict(checks) is None
    assert checks[0].n_served == MIN_SAMPLES - 1


def test_one_category_in_both_samples_cannot_differ():
    check = categorical("labels", ["joy"] * 50, ["joy"] * 80)
    assert check.drift is False and check.p_value == 1.0


def test_multi_label_answers_count_every_label():
    records = [{"label": "joy", "labels": ["joy", "love"]}, {"label": "fear"}]
    assert label_values(records) == ["joy", "love", "fear"]
