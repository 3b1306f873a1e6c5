"""Traffic over a time window from prediction-log records: requests, latency, errors, labels, confidence.

Latency and errors are per request (texts of one request share its `req`); labels and confidence
are per text. `over_time` cuts the window into equal buckets, oldest first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from emoai_core.monitoring.drift import label_values
from emoai_core.monitoring.records import is_error


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), linear between the nearest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 3)


def _requests(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One entry per request: its latency, and its status when refused."""
    out: dict[str, dict[str, Any]] = {}
    for record in records:
        key = str(record.get("req") or id(record))
        if key not in out:
            out[key] = {"ms": float(record.get("ms") or 0.0), "error": is_error(record), "t": record.get("t")}
    return out


def summarize(records: Sequence[dict[str, Any]], since: float, until: float) -> dict[str, Any]:
    """Totals for the window [since, until)."""
    requests = _requests(records)
    predictions = [r for r in records if not is_error(r)]
    errors = sum(1 for r in requests.values() if r["error"])
    latencies = [r["ms"] for r in requests.values() if not r["error"]]
    scores = [float(r["score"]) for r in predictions if r.get("score") is not None]
    labels = Counter(label_values(predictions))
    total_labels = sum(labels.values()) or 1
    seconds = max(until - since, 1e-9)
    return {
        "requests": len(requests),
        "texts": len(predictions),
        "req_per_s": round(len(requests) / seconds, 3),
        "errors": errors,
        "error_rate": round(errors / len(requests), 4) if requests else 0.0,
        "error_codes": dict(Counter(str(r.get("error")) for r in records if is_error(r)).most_common()),
        "latency_ms": {f"p{q}": percentile(latencies, q) for q in (50, 90, 99)},
        "labels": {k: round(v / total_labels, 4) for k, v in labels.most_common()},
        "label_counts": dict(labels.most_common()),
        "confidence": {
            "mean": round(sum(scores) / len(scores), 4) if scores else None,
            "p10": percentile(scores, 10),
            "below_0.5": round(sum(1 for s in scores if s < 0.5) / len(scores), 4) if scores else None,
        },
    }


def over_time(
    records: Sequence[dict[str, Any]], since: float, until: float, buckets: int = 12
) -> list[dict[str, Any]]:
    """The window cut into `buckets` equal slices, each with its traffic, latency, errors and labels."""
    width = max((until - since) / buckets, 1e-9)
    slices: list[list[dict[str, Any]]] = [[] for _ in range(buckets)]
    for record in records:
        index = int((float(record.get("t", since)) - since) / width)
        slices[min(max(index, 0), buckets - 1)].append(record)
    out = []
    for i, part in enumerate(slices):
        start = since + i * width
        totals = summarize(part, start, start + width)
        top = next(iter(totals["labels"].items()), (None, None))
        out.append(
            {
                "start": round(start, 3),
                "end": round(start + width, 3),
                "requests": totals["requests"],
                "req_per_s": totals["req_per_s"],
                "p50_ms": totals["latency_ms"]["p50"],
                "p99_ms": totals["latency_ms"]["p99"],
                "errors": totals["errors"],
                "error_rate": totals["error_rate"],
                "confidence": totals["confidence"]["mean"],
                "top_label": top[0],
                "top_label_share": top[1],
                "labels": totals["labels"],
            }
        )
    return out
