"""emoai_core.serving.metrics: the metric names, and where Prometheus scrapes them."""

from __future__ import annotations

from emoai_core.serving.metrics import METRIC_NAMES, ServeMetrics, scrape_targets


def test_scrape_targets_are_the_alive_nodes_metrics_ports():
    nodes = [
        {"Alive": True, "NodeManagerAddress": "10.0.0.2", "MetricsExportPort": 41000},
        {"Alive": False, "NodeManagerAddress": "10.0.0.3", "MetricsExportPort": 41001},
        {"Alive": True, "NodeManagerAddress": "10.0.0.1", "MetricsExportPort": 41002},
        {"Alive": True, "NodeManagerAddress": "10.0.0.4"},
    ]
    assert scrape_targets(nodes) == ["http://10.0.0.1:41002/metrics", "http://10.0.0.2:41000/metrics"]


def test_metrics_record_without_a_running_ray():
    """Outside a Ray worker the calls are no-ops, so the replica's code paths run in unit tests too."""
    metrics = ServeMetrics("7")
    metrics.answered(12.5, ["joy", "fear"], [0.9, 0.4])
    metrics.refused(422, "empty_text", 0.3)
    metrics.batch_size(4)
    assert all(name.startswith("emoai_") for name in METRIC_NAMES) and len(set(METRIC_NAMES)) == 6
