"""emoai_core.monitoring.summary: traffic, latency per request, errors, labels and confidence over time."""

from __future__ import annotations

from emoai_core.monitoring.summary import over_time, percentile, summarize


def _records() -> list[dict]:
    out = []
    for i in range(10):  # ten requests of two texts each, one every 10 s
        for label, score in (("joy", 0.9), ("sadness" if i % 2 else "joy", 0.4)):
            out.append({"t": 100.0 + 10 * i, "req": f"r{i}", "n": 2, "ms": 10.0 + i, "label": label, "score": score})
    out.append({"t": 195.0, "req": "bad", "ms": 1.0, "status": 422, "error": "empty_text"})
    return out


def test_percentiles():
    assert percentile([], 50) is None
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(101)), 99) == 99


def test_summary_counts_requests_texts_errors_and_labels():
    s = summarize(_records(), 100.0, 200.0)
    assert (s["requests"], s["texts"], s["errors"]) == (11, 20, 1)
    assert s["req_per_s"] == 0.11 and s["error_rate"] == round(1 / 11, 4)
    assert s["error_codes"] == {"empty_text": 1}
    assert s["latency_ms"]["p50"] == 14.5  # per request (10..19 ms), the refused one left out
    assert s["labels"] == {"joy": 0.75, "sadness": 0.25} and s["label_counts"] == {"joy": 15, "sadness": 5}
    assert s["confidence"]["mean"] == 0.65 and s["confidence"]["below_0.5"] == 0.5


def test_over_time_cuts_the_window_into_equal_buckets():
    buckets = over_time(_records(), 100.0, 200.0, buckets=2)
    assert [b["requests"] for b in buckets] == [5, 6] and [b["errors"] for b in buckets] == [0, 1]
    assert buckets[0]["start"] == 100.0 and buckets[1]["end"] == 200.0
    assert buckets[0]["top_label"] == "joy" and buckets[0]["p50_ms"] == 12.0
    empty = over_time([], 0.0, 60.0, buckets=3)
    assert [b["requests"] for b in empty] == [0, 0, 0] and empty[0]["p50_ms"] is None
