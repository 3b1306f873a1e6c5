"""A small client for the Ray dashboard's REST API (nodes, autoscaler demands, jobs, Serve apps).

`emoai cluster status` and the TUI read cluster state over HTTP with the auth token instead of
joining the cluster with `ray.init`: cheap, safe to poll, and it works from any machine that
can reach the dashboard.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UnreachableError, UsageError

NODE_TYPE_LABEL = "emoai-node-type"


def auth_token_path(env: Mapping[str, str] | None = None) -> Path:
    """Where Ray reads its token from a file: RAY_AUTH_TOKEN_PATH, else ~/.ray/auth_token."""
    env = os.environ if env is None else env
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return Path(env.get("RAY_AUTH_TOKEN_PATH") or home / ".ray" / "auth_token")


def auth_token(env: Mapping[str, str] | None = None) -> str | None:
    """Ray's token: RAY_AUTH_TOKEN, else the file `auth_token_path` names (None: no token)."""
    env = os.environ if env is None else env
    token = env.get("RAY_AUTH_TOKEN")
    if token:
        return token.strip()
    path = auth_token_path(env)
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


@dataclass
class NodeInfo:
    node_id: str
    address: str
    node_type: str
    is_head: bool
    alive: bool
    cpu_used: float
    cpu_total: float
    gpu_used: float
    gpu_total: float
    memory_used: float  # bytes, physical memory of the host
    memory_total: float


@dataclass
class ClusterSnapshot:
    dashboard_url: str
    nodes: list[NodeInfo] = field(default_factory=list)
    pending_demands: list[str] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    serve_apps: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _demand(entry: Any) -> str:
    """Autoscaler demand entries are [resources, count] pairs or plain resource dicts."""
    if isinstance(entry, list | tuple) and len(entry) == 2 and isinstance(entry[0], dict):
        resources, count = entry
    elif isinstance(entry, dict):
        resources, count = entry, 1
    else:
        return str(entry)
    shape = ", ".join(
        f"{k}: {v:g}" if isinstance(v, int | float) else f"{k}: {v}" for k, v in resources.items()
    )
    return f"{{{shape}}} × {count}"


class DashboardClient:
    def __init__(self, url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.token = token if token is not None else auth_token()
        self.timeout = timeout

    def get(self, path: str) -> Any:
        import httpx

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = httpx.get(self.url + path, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise UnreachableError(
                f"Ray dashboard at {self.url} is unreachable ({type(exc).__name__})",
                "is the cluster up? see 'emoai cluster up', or pass --dashboard-url",
            ) from None
        if response.status_code in (401, 403):
            raise UsageError(
                f"Ray dashboard at {self.url} refused the auth token ({response.status_code})",
                "use the cluster's token: RAY_AUTH_TOKEN or ~/.ray/auth_token",
            )
        if response.status_code >= 400:
            raise UnreachableError(f"Ray dashboard {path} answered {response.status_code}")
        return response.json()

    def nodes(self) -> list[NodeInfo]:
        summary = self.get("/nodes?view=summary").get("data", {}).get("summary", [])
        usage = self._usage_by_node()
        nodes = []
        for entry in summary:
            raylet = entry.get("raylet", {})
            node_id = raylet.get("nodeId", "")
            totals = raylet.get("resourcesTotal", {})
            used = usage.get(node_id, {})
            mem = entry.get("mem") or [0, 0, 0, 0]
            labels = raylet.get("labels") or {}
            nodes.append(
                NodeInfo(
                    node_id=node_id,
                    address=raylet.get("nodeManagerAddress", entry.get("ip", "")),
                    node_type=labels.get(NODE_TYPE_LABEL)
                    or ("head" if raylet.get("isHeadNode") else "worker"),
                    is_head=bool(raylet.get("isHeadNode")),
                    alive=raylet.get("state") == "ALIVE",
                    cpu_used=float(used.get("CPU", [0, 0])[0]),
                    cpu_total=float(totals.get("CPU", used.get("CPU", [0, 0])[1])),
                    gpu_used=float(used.get("GPU", [0, 0])[0]),
                    gpu_total=float(totals.get("GPU", 0)),
                    memory_used=float(mem[3] if len(mem) > 3 else 0),
                    memory_total=float(mem[0]),
                )
            )
        return sorted(nodes, key=lambda n: (not n.is_head, n.node_type, n.node_id))

    def _cluster_status(self) -> dict[str, Any]:
        return self.get("/api/cluster_status").get("data", {}).get("clusterStatus") or {}

    def _usage_by_node(self) -> dict[str, dict[str, list[float]]]:
        report = self._cluster_status().get("loadMetricsReport") or {}
        return report.get("usageByNode") or {}

    def pending_demands(self) -> list[str]:
        report = self._cluster_status().get("loadMetricsReport") or {}
        demands = [
            *(report.get("resourceDemand") or []),
            *(report.get("pgDemand") or []),
            *(report.get("requestDemand") or []),
        ]
        return [_demand(d) for d in demands]

    def jobs(self) -> list[dict[str, Any]]:
        out = []
        for job in self.get("/api/jobs/"):
            out.append(
                {
                    "id": job.get("submission_id") or job.get("job_id"),
                    "type": job.get("type"),
                    "status": job.get("status"),
                    "entrypoint": (job.get("entrypoint") or "")[:200],
                    "start_time": job.get("start_time"),
                    "end_time": job.get("end_time"),
                }
            )
        return out

    def serve_apps(self) -> list[dict[str, Any]]:
        apps = self.get("/api/serve/applications/").get("applications") or {}
        out = []
        for name, app in apps.items():
            deployments = {}
            for dep_name, dep in (app.get("deployments") or {}).items():
                replicas: dict[str, int] = {}
                for replica in dep.get("replicas") or []:
                    replicas[replica.get("state", "?")] = replicas.get(replica.get("state", "?"), 0) + 1
                deployments[dep_name] = {"status": dep.get("status"), "replica_states": replicas}
            out.append(
                {
                    "name": name,
                    "status": app.get("status"),
                    "route_prefix": app.get("route_prefix"),
                    "deployments": deployments,
                    "message": app.get("message"),
                }
            )
        return out

    def snapshot(self) -> ClusterSnapshot:
        return ClusterSnapshot(self.url, self.nodes(), self.pending_demands(), self.jobs(), self.serve_apps())
