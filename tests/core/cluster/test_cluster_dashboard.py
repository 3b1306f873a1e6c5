"""emoai_core.cluster.dashboard: the Ray dashboard's REST API read over HTTP with the auth token."""

from __future__ import annotations

import httpx
import pytest

from emoai_core.base.errors import UnreachableError, UsageError
from emoai_core.cluster.dashboard import NODE_TYPE_LABEL, DashboardClient, auth_token

URL = "http://dash.test:8265"
NODES = {
    "data": {
        "summary": [
            {
                "raylet": {
                    "nodeId": "w1",
                    "nodeManagerAddress": "10.0.0.2",
                    "state": "ALIVE",
                    "isHeadNode": False,
                    "resourcesTotal": {"CPU": 4.0},
                    "labels": {NODE_TYPE_LABEL: "cpu-worker"},
                },
                "mem": [8e9, 4e9, 50, 2e9],
            },
            {
                "raylet": {
                    "nodeId": "h",
                    "nodeManagerAddress": "10.0.0.1",
                    "state": "ALIVE",
                    "isHeadNode": True,
                    "resourcesTotal": {"CPU": 2.0, "GPU": 1.0},
                },
                "mem": [16e9, 8e9, 50, 6e9],
            },
        ]
    }
}
STATUS = {
    "data": {
        "clusterStatus": {
            "loadMetricsReport": {
                "usageByNode": {"w1": {"CPU": [3.0, 4.0]}, "h": {"CPU": [1.0, 2.0], "GPU": [1.0, 1.0]}},
                "resourceDemand": [[{"CPU": 2}, 3]],
                "pgDemand": [{"GPU": 1.0}],
            }
        }
    }
}


@pytest.fixture
def dashboard(monkeypatch):
    """httpx.get answered by a fake dashboard; returns the requests it saw."""
    seen: list[httpx.Request] = []
    routes = {"/nodes": NODES, "/api/cluster_status": STATUS}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = routes.get(request.url.path)
        return httpx.Response(200, json=body) if body is not None else httpx.Response(404)

    transport = httpx.MockTransport(handler)

    def fake_get(url, headers=None, timeout=None):
        with httpx.Client(transport=transport) as client:
            return client.get(url, headers=headers)

    monkeypatch.setattr(httpx, "get", fake_get)
    return seen


def test_nodes_join_summary_and_usage_head_first(dashboard):
    nodes = DashboardClient(URL + "/", token="s3cret").nodes()

    assert [(n.node_id, n.node_type, n.is_head) for n in nodes] == [
        ("h", "head", True),
        ("w1", "cpu-worker", False),
    ]
    head, worker = nodes
    assert (head.cpu_used, head.cpu_total, head.gpu_used, head.gpu_total) == (1.0, 2.0, 1.0, 1.0)
    assert (worker.cpu_used, worker.cpu_total, worker.memory_used, worker.memory_total) == (
        3.0,
        4.0,
        2e9,
        8e9,
    )
    assert all(r.headers["Authorization"] == "Bearer s3cret" for r in dashboard)


def test_pending_demands_are_shapes_with_counts(dashboard):
    assert DashboardClient(URL, token="t").pending_demands() == ["{CPU: 2} × 3", "{GPU: 1} × 1"]


def _answering(monkeypatch, response_or_error):
    def fake_get(url, headers=None, timeout=None):
        if isinstance(response_or_error, Exception):
            raise response_or_error
        return response_or_error

    monkeypatch.setattr(httpx, "get", fake_get)


def test_a_refused_token_is_a_usage_error(monkeypatch):
    _answering(monkeypatch, httpx.Response(401))
    with pytest.raises(UsageError, match="refused the auth token") as info:
        DashboardClient(URL, token="wrong").get("/api/jobs/")
    assert "RAY_AUTH_TOKEN" in info.value.hint


def test_an_error_status_or_no_answer_is_unreachable(monkeypatch):
    _answering(monkeypatch, httpx.Response(500))
    with pytest.raises(UnreachableError, match="answered 500"):
        DashboardClient(URL, token="t").get("/api/jobs/")
    _answering(monkeypatch, httpx.ConnectError("refused"))
    with pytest.raises(UnreachableError, match="unreachable"):
        DashboardClient(URL, token="t").get("/api/jobs/")


def test_auth_token_prefers_the_variable_then_the_file(tmp_path):
    token_file = tmp_path / "auth_token"
    token_file.write_text("from-file\n")

    assert (
        auth_token({"RAY_AUTH_TOKEN": " from-env \n", "RAY_AUTH_TOKEN_PATH": str(token_file)}) == "from-env"
    )
    assert auth_token({"RAY_AUTH_TOKEN_PATH": str(token_file)}) == "from-file"
    assert auth_token({"HOME": str(tmp_path / "nobody")}) is None
