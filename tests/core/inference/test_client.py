"""emoai_core.inference.client: `emoai predict --endpoint` maps the server's answers to emoai errors."""

from __future__ import annotations

import socket

import httpx
import pytest

from emoai_core.base.errors import EmoaiError, UnreachableError, UsageError
from emoai_core.inference.client import predict_remote
from emoai_core.inference.predict import Prediction


@pytest.fixture
def server(monkeypatch):
    """`httpx.post` answered by `server.respond(request)`; `server.requests` keeps what was sent."""

    class FakeServer:
        requests: list[httpx.Request] = []
        respond = staticmethod(lambda request: httpx.Response(500))

    fake = FakeServer()
    fake.requests = []
    transport = httpx.MockTransport(lambda request: fake.requests.append(request) or fake.respond(request))

    def post(url, json=None, headers=None, timeout=None):
        with httpx.Client(transport=transport) as client:
            return client.post(url, json=json, headers=headers)

    monkeypatch.setattr(httpx, "post", post)
    return fake


def test_predictions_come_back_one_per_text_with_the_token_sent(server):
    body = {
        "predictions": [
            {"label": "joy", "score": 0.9, "probabilities": {"joy": 0.9, "sadness": 0.1}},
            {"label": "sadness", "score": 0.6, "probabilities": {"joy": 0.4, "sadness": 0.6}},
        ]
    }
    server.respond = lambda request: httpx.Response(200, json=body)

    got = predict_remote("http://srv:8000/", ["yay", "meh"], token="tok")

    assert got == [
        Prediction("joy", 0.9, {"joy": 0.9, "sadness": 0.1}),
        Prediction("sadness", 0.6, {"joy": 0.4, "sadness": 0.6}),
    ]
    (request,) = server.requests
    assert str(request.url) == "http://srv:8000/predict"
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.read() == b'{"texts":["yay","meh"]}'


def test_401_is_a_usage_error_with_the_token_hint(server):
    server.respond = lambda request: httpx.Response(401, json={"detail": {"message": "bad token"}})

    with pytest.raises(UsageError, match="refused the request: bad token") as info:
        predict_remote("http://srv:8000", ["x"])

    assert "--token" in info.value.hint and "EMOAI_SERVE_TOKEN" in info.value.hint
    assert "Authorization" not in server.requests[0].headers


def test_other_4xx_is_a_usage_error_with_the_servers_detail(server):
    server.respond = lambda request: httpx.Response(
        422, json={"detail": "text 1 is longer than 2000 characters"}
    )
    with pytest.raises(UsageError, match=r"rejected the request \(422\): text 1 is longer"):
        predict_remote("http://srv:8000", ["x"])


def test_5xx_is_a_failure_not_a_usage_error(server):
    server.respond = lambda request: httpx.Response(503, text="overloaded")
    with pytest.raises(EmoaiError, match=r"the model server failed \(503\): overloaded") as info:
        predict_remote("http://srv:8000", ["x"])
    assert type(info.value) is EmoaiError


def test_a_refused_connection_is_unreachable():
    with socket.socket() as sock:  # a port nobody listens on once the socket is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    with pytest.raises(
        UnreachableError, match=f"cannot reach the model server at http://127.0.0.1:{port}"
    ) as info:
        predict_remote(f"http://127.0.0.1:{port}", ["x"])
    assert "emoai serve status" in info.value.hint
