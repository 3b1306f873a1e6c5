"""emoai_core.serving.deploy: deploy refuses what cannot work before touching Ray; stop ends what serve.json names."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.serving.deploy import deploy, stop
from emoai_core.serving.options import ServeOptions
from emoai_core.serving.state import ServeState, read_state, write_state


@pytest.fixture
def bundle(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name in ("model.onnx", "tokenizer.json", "labels.json"):
        (folder / name).write_bytes(b"{}")
    (folder / "meta.json").write_text(json.dumps({"run_id": "r1", "version": "1"}))
    return folder


@pytest.fixture
def healthy_server():
    """Something answering /healthz with 200, like a running `emoai serve`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server name
            self.send_response(200 if self.path == "/healthz" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_bad_options_are_refused_first(bundle):
    with pytest.raises(UsageError, match="--replicas must be at least 1; --port 70000 is not a port number"):
        deploy(bundle, ServeOptions(replicas=0, port=70000))
    assert read_state() is None


def test_a_folder_that_is_not_a_bundle_is_refused(tmp_path):
    with pytest.raises(UsageError, match="not an ONNX model bundle"):
        deploy(tmp_path, ServeOptions(port=_free_port()))


def test_a_port_in_use_is_refused(bundle):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        with pytest.raises(UsageError, match=f"port {port} on 127.0.0.1 is already in use"):
            deploy(bundle, ServeOptions(port=port))
    assert read_state() is None


def test_a_second_server_on_another_port_is_refused(bundle, healthy_server):
    running = ServeState(
        f"http://127.0.0.1:{healthy_server}", None, "127.0.0.1", healthy_server, "r0", "1", "m", 1.0
    )
    write_state(running)

    with pytest.raises(UsageError, match=f"a server is already running at {running.url}") as info:
        deploy(bundle, ServeOptions(port=_free_port()))

    assert "emoai serve stop" in info.value.hint
    assert read_state() == running


def test_stop_without_a_server_says_so():
    assert stop() == {"stopped": False, "message": "no server is running"}


def test_stop_of_a_server_without_ray_to_reach_forgets_it():
    write_state(ServeState("http://127.0.0.1:1", None, "127.0.0.1", 1, None, None, "m", time.time()))

    assert stop() == {"stopped": True, "url": "http://127.0.0.1:1", "stopped_ray": False}
    assert read_state() is None


def test_an_unknown_ingress_is_refused_first(bundle):
    with pytest.raises(UsageError, match="--ingress fast is not one of auto, haproxy, proxy"):
        deploy(bundle, ServeOptions(ingress="fast", port=_free_port()))
    assert read_state() is None


def test_stop_removes_the_haproxy_folder_it_recorded(tmp_path):
    import tempfile

    files = tempfile.mkdtemp(prefix="emoai-hap-test-", dir="/tmp")
    write_state(ServeState("http://127.0.0.1:1", None, "127.0.0.1", 1, None, None, "m", time.time(), ingress_files=files))
    from pathlib import Path

    assert Path(files).is_dir()
    assert stop()["stopped"] is True
    assert not Path(files).exists()


def test_stop_of_a_server_whose_private_head_died_does_not_wait_for_it(tmp_path):
    """serve stop used to try the dead head's address for ~13 minutes before giving up."""
    gone = tmp_path / "emoai-ray-gone"
    write_state(
        ServeState("http://127.0.0.1:1", "127.0.0.1:1", "127.0.0.1", 1, None, None, "m", time.time(), temp_dir=str(gone))
    )
    started = time.monotonic()
    assert stop() == {"stopped": True, "url": "http://127.0.0.1:1", "stopped_ray": True}
    assert time.monotonic() - started < 30 and read_state() is None
