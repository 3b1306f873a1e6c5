"""`emoai monitor`: what the served models saw over a window, and whether it drifted from training.

Reads the prediction log for [now - since, now), sums up the traffic (`summary`) and, for every
model that served texts in the window, compares those texts and answers with the model's reference
profile (`reference`, `drift`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from emoai_core.base.errors import EmoaiError
from emoai_core.base.settings import paths
from emoai_core.monitoring.drift import drift_checks, verdict
from emoai_core.monitoring.records import is_error, read_records
from emoai_core.monitoring.reference import reference_profile
from emoai_core.monitoring.summary import over_time, summarize


def monitor_report(
    since_s: float,
    *,
    data_ref: str | None = None,
    now: float | None = None,
    buckets: int = 12,
    drift: bool = True,
) -> dict[str, Any]:
    """Traffic, its course over time and drift per served model, for the last `since_s` seconds."""
    until = time.time() if now is None else now
    since = until - since_s
    records = list(read_records(paths().prediction_logs, since, until))
    report: dict[str, Any] = {
        "since": since,
        "until": until,
        "log": str(paths().prediction_logs),
        "summary": summarize(records, since, until),
        "over_time": over_time(records, since, until, buckets),
        "models": [],
    }
    if drift:
        report["models"] = [model_drift(key, rs, data_ref) for key, rs in _by_model(records).items()]
    verdicts = [m.get("drift") for m in report["models"]]
    report["drift"] = True if any(verdicts) else (False if verdicts and all(v is False for v in verdicts) else None)
    return report


def _by_model(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if not is_error(record):
            grouped[str(record.get("model"))].append(record)
    return dict(grouped)


def model_drift(key: str, records: list[dict[str, Any]], data_ref: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"model": key, "version": records[-1].get("v"), "texts": len(records)}
    try:
        profile = reference_profile(key, data_ref)
    except EmoaiError as exc:
        return {**out, "drift": None, "error": exc.message, "hint": exc.hint}
    checks = drift_checks(records, profile)
    return {
        **out,
        "reference": {"data": profile["data"], "split": profile["split"], "texts": profile["n"]},
        "checks": [c.to_json() for c in checks],
        "drift": verdict(checks),
    }
