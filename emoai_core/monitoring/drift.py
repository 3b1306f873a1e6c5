"""Drift of served inputs and outputs against a reference sample, one named test per quantity.

- label distribution: chi-square test of homogeneity (`scipy.stats.chi2_contingency`) on the
  served and reference label counts, effect size Cramér's V;
- confidence, text length, unknown-token share: two-sample Kolmogorov-Smirnov
  (`scipy.stats.ks_2samp`), effect size its statistic D (the largest gap between the two CDFs).

A quantity drifts when the difference is both significant (p < ALPHA) and large enough to matter
(effect ≥ MIN_EFFECT): with thousands of served texts a test alone flags differences nobody
would act on, with a few dozen an effect alone is noise. Below MIN_SAMPLES served texts there is
no verdict (`drift` is None).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

ALPHA = 0.01
MIN_EFFECT = 0.1
MIN_SAMPLES = 30


@dataclass(frozen=True)
class DriftCheck:
    name: str  # what drifted: "label distribution", "confidence", ...
    test: str  # the statistic, by name
    statistic: float | None
    p_value: float | None
    effect: float | None
    threshold: str
    drift: bool | None  # None: not enough data for a verdict
    served: Any  # a summary: label shares, or the mean
    reference: Any
    n_served: int
    n_reference: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _verdict(p: float, effect: float) -> bool:
    return bool(p < ALPHA and effect >= MIN_EFFECT)


def _threshold(effect_name: str) -> str:
    return f"p < {ALPHA} and {effect_name} ≥ {MIN_EFFECT}"


def _shares(values: Sequence[str]) -> dict[str, float]:
    counts = Counter(values)
    total = sum(counts.values()) or 1
    return {k: round(v / total, 4) for k, v in counts.most_common()}


def categorical(name: str, served: Sequence[str], reference: Sequence[str]) -> DriftCheck:
    """Chi-square test of homogeneity between two samples of categories (e.g. labels)."""
    test, threshold = "chi-square (scipy.stats.chi2_contingency)", _threshold("Cramér's V")
    args = (name, test)
    shares = (_shares(served), _shares(reference))
    if len(served) < MIN_SAMPLES or not reference:
        return DriftCheck(*args, None, None, None, threshold, None, *shares, len(served), len(reference))
    from scipy.stats import chi2_contingency

    served_counts, reference_counts = Counter(served), Counter(reference)
    categories = sorted(set(served_counts) | set(reference_counts))
    if len(categories) < 2:  # one category in both: nothing can differ
        return DriftCheck(*args, 0.0, 1.0, 0.0, threshold, False, *shares, len(served), len(reference))
    table = [[served_counts[c] for c in categories], [reference_counts[c] for c in categories]]
    chi2, p, _, _ = chi2_contingency(table)
    cramers_v = math.sqrt(chi2 / (len(served) + len(reference)))  # two rows: min(r, c) - 1 = 1
    return DriftCheck(
        *args, float(chi2), float(p), round(cramers_v, 4), threshold, _verdict(p, cramers_v),
        *shares, len(served), len(reference),
    )  # fmt: skip


def continuous(name: str, served: Sequence[float], reference: Sequence[float]) -> DriftCheck:
    """Two-sample Kolmogorov-Smirnov test between two samples of numbers."""
    test, threshold = "Kolmogorov-Smirnov (scipy.stats.ks_2samp)", _threshold("D")
    means = (_mean(served), _mean(reference))
    if len(served) < MIN_SAMPLES or not reference:
        return DriftCheck(name, test, None, None, None, threshold, None, *means, len(served), len(reference))
    from scipy.stats import ks_2samp

    result = ks_2samp(served, reference)
    d, p = float(result.statistic), float(result.pvalue)
    return DriftCheck(
        name, test, d, p, round(d, 4), threshold, _verdict(p, d), *means, len(served), len(reference)
    )


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


# the quantities compared, with the record field each reads and its test
CHECKS = (
    ("label distribution", "labels", categorical),
    ("confidence", "score", continuous),
    ("text length", "chars", continuous),
    ("unknown-token share", "unk", continuous),
)


def label_values(records: Sequence[dict[str, Any]]) -> list[str]:
    """Every label answered: the top label, or for multi-label answers each label in `labels`."""
    out: list[str] = []
    for record in records:
        labels = record.get("labels")
        out.extend(labels if isinstance(labels, list) else [record.get("label", "?")])
    return out


def drift_checks(served: Sequence[dict[str, Any]], reference: dict[str, list]) -> list[DriftCheck]:
    """Every check of CHECKS, served prediction records against a reference profile (lists by field)."""
    checks = []
    for name, field, test in CHECKS:
        if field == "labels":
            checks.append(test(name, label_values(served), reference["labels"]))
        else:
            values = [float(r[field]) for r in served if r.get(field) is not None]
            checks.append(test(name, values, [float(v) for v in reference[field]]))
    return checks


def verdict(checks: Sequence[DriftCheck]) -> bool | None:
    """True if any check drifted, False if all had a verdict and none did, else None."""
    if any(c.drift for c in checks):
        return True
    return False if checks and all(c.drift is False for c in checks) else None
