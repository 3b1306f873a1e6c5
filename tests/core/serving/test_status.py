"""emoai_core.serving.status: is the server up and what does it run, answered over HTTP (no Ray without an address)."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from emoai_core.base.errors import EmoaiError, UsageError
from emoai_core.serving.state import ServeState, write_state
from emoai_core.serving.status import is_running, status, wait_healthy


@pytest.fixture
def fake_server():
    """A tiny HTTP server: /healthz 200, /model the served model's JSON (401 without the token)."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server name
            seen.append({"path": self.path, "auth": self.headers.get("Authorization", "")})
            if self.path == "/healthz":
                code, body = 200, {"status": "ok"}
            elif self.path == "/model" and self.headers.get("Authorization") == "Bearer tok":
                code, body = 200, {"run_id": "r1", "labels": ["joy"]}
            else:
                code, body = 401, {"detail": "token"}
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.seen = seen
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(10)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _state(url: str, started: float) -> ServeState:
    port = int(url.rsplit(":", 1)[1])
    return ServeState(url, None, "127.0.0.1", port, "r1", "3", "@production", started)


def test_status_without_a_server_says_how_to_start_one():
    with pytest.raises(UsageError, match="no server is running") as info:
        status()
    assert "emoai serve --detach" in info.value.hint


def test_a_recorded_server_that_does_not_answer_is_unhealthy():
    url = f"http://127.0.0.1:{_closed_port()}"
    write_state(_state(url, started=time.time() - 60))

    info = status()

    assert info["healthy"] is False
    assert (info["url"], info["model"], info["run_id"], info["version"]) == (url, "@production", "r1", "3")
    assert 59 <= info["uptime_s"] < 600
    assert "served_model" not in info and "application" not in info  # no address: Ray is not asked


def test_a_healthy_server_reports_the_model_it_serves(fake_server):
    write_state(_state(fake_server.url, started=time.time()))

    info = status(token="tok")

    assert info["healthy"] is True
    assert info["served_model"] == {"run_id": "r1", "labels": ["joy"]}
    assert {"path": "/model", "auth": "Bearer tok"} in fake_server.seen


def test_a_refused_model_query_is_reported_not_raised(fake_server):
    write_state(_state(fake_server.url, started=time.time()))
    assert status()["served_model"] == {"error": "HTTP 401"}


def test_is_running_and_wait_healthy(fake_server):
    assert is_running(_state(fake_server.url, 0))
    assert not is_running(_state(f"http://127.0.0.1:{_closed_port()}", 0))
    wait_healthy(fake_server.url, timeout=5)  # returns at once


def test_wait_healthy_gives_up_naming_the_server():
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(
        EmoaiError, match=f"the server at {url} did not become healthy in 1 s \\(ConnectError\\)"
    ):
        wait_healthy(url, timeout=1.0)


def test_without_the_cluster_the_ingress_and_metrics_found_at_deploy_are_shown():
    url = f"http://127.0.0.1:{_closed_port()}"
    state = _state(url, started=time.time())
    state.ingress, state.metrics = "haproxy", ["http://127.0.0.1:9999/metrics"]
    write_state(state)

    info = status()

    assert info["ingress"] == {"kind": "haproxy", "detected": "at deploy"}
    assert info["metrics"] == ["http://127.0.0.1:9999/metrics"]
