"""The server's own Prometheus metrics, recorded by each replica through `ray.util.metrics`.

Ray's metrics agent on every node exposes them (prefixed `ray_`) beside Serve's own
(`ray_serve_*`: requests, latency, replica states) on the node's metrics export port; `emoai serve
status` prints the scrape address. Names and buckets are written once, here.
"""

from __future__ import annotations

from typing import Any

LATENCY_MS_BUCKETS = [2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0]
BATCH_BUCKETS = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]
CONFIDENCE_BUCKETS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]

REQUESTS = "emoai_requests_total"
ERRORS = "emoai_request_errors_total"
LATENCY = "emoai_request_latency_ms"
BATCH = "emoai_batch_size"
PREDICTIONS = "emoai_predictions_total"
CONFIDENCE = "emoai_prediction_confidence"
METRIC_NAMES = (REQUESTS, ERRORS, LATENCY, BATCH, PREDICTIONS, CONFIDENCE)


class ServeMetrics:
    """Counters and histograms for /predict; `model` (the served version) tags every series."""

    def __init__(self, model: str) -> None:
        from ray.util.metrics import Counter, Histogram

        tags = ("model",)
        self.requests = Counter(REQUESTS, "Prediction requests answered, by HTTP status.", (*tags, "status"))
        self.errors = Counter(ERRORS, "Prediction requests refused or failed, by error code.", (*tags, "code"))
        self.latency = Histogram(
            LATENCY, "Time from request to answer inside the replica (ms).", LATENCY_MS_BUCKETS, tags
        )
        self.batch = Histogram(BATCH, "Texts per model call.", BATCH_BUCKETS, tags)
        self.predictions = Counter(PREDICTIONS, "Texts answered, by predicted label.", (*tags, "label"))
        self.confidence = Histogram(
            CONFIDENCE, "Confidence (top score) of each answer.", CONFIDENCE_BUCKETS, tags
        )
        for metric in (self.requests, self.errors, self.latency, self.batch, self.predictions, self.confidence):
            metric.set_default_tags({"model": model})

    def answered(self, latency_ms: float, labels: list[str], scores: list[float]) -> None:
        self.requests.inc(1, {"status": "200"})
        self.latency.observe(latency_ms)
        for label, score in zip(labels, scores, strict=True):
            self.predictions.inc(1, {"label": label})
            self.confidence.observe(score)

    def refused(self, status: int, code: str, latency_ms: float) -> None:
        self.requests.inc(1, {"status": str(status)})
        self.errors.inc(1, {"code": code})
        self.latency.observe(latency_ms)

    def batch_size(self, size: int) -> None:
        self.batch.observe(float(size))


def scrape_targets(nodes: list[dict[str, Any]]) -> list[str]:
    """`http://host:port/metrics` of every alive node (from `ray.nodes()`)."""
    targets = []
    for node in nodes:
        port = node.get("MetricsExportPort")
        if node.get("Alive") and port:
            targets.append(f"http://{node.get('NodeManagerAddress', '127.0.0.1')}:{port}/metrics")
    return sorted(targets)
