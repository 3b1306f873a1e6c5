"""The cluster from the Ray dashboard's REST API (httpx + auth token), never `ray.init`."""

from __future__ import annotations

from emoai_cli.dashboard.sources import ClusterView, NodeUsage


class RayCluster:
    def __init__(self, dashboard_url: str | None = None) -> None:
        self.dashboard_url = dashboard_url

    def url(self) -> str | None:
        if self.dashboard_url:
            return self.dashboard_url
        from emoai_core.cluster.state import current_dashboard_url

        return current_dashboard_url()

    def cluster(self) -> ClusterView | None:
        from emoai_core.cluster.dashboard import DashboardClient

        url = self.url()
        if not url:
            return None
        client = DashboardClient(url, timeout=5.0)
        nodes = [
            NodeUsage(
                name=n.node_type,
                address=n.address,
                alive=n.alive,
                cpu_used=n.cpu_used,
                cpu_total=n.cpu_total,
                gpu_used=n.gpu_used,
                gpu_total=n.gpu_total,
                memory_used=n.memory_used,
                memory_total=n.memory_total,
            )
            for n in client.nodes()
        ]
        return ClusterView(url, nodes, client.pending_demands(), client.jobs())
