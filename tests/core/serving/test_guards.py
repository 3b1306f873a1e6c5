"""emoai_core.serving.guards: 413 before a too-large body is read, bearer auth by fixed-length digests."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from emoai_core.serving import guards

TOKEN = "s3cret"


def _client(limit: int | None = 100, token: str | None = None) -> tuple[TestClient, list[int]]:
    read: list[int] = []

    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        read.append(len(body))
        return JSONResponse({"bytes": len(body)})

    app = Starlette(routes=[Route("/echo", echo, methods=["POST"]), Route("/healthz", echo, methods=["POST"])])
    app.add_middleware(guards.BodyLimit)
    app.add_middleware(guards.TokenAuth)
    app.state.max_body_bytes = limit
    app.state.token_digest = guards.token_digest(token) if token else None
    return TestClient(app), read


def test_a_body_within_the_limit_is_read():
    client, read = _client()
    assert client.post("/echo", content=b"x" * 100).json() == {"bytes": 100}
    assert read == [100]


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read():
    client, read = _client()
    response = client.post("/echo", content=b"x" * 101)
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"
    assert read == []  # the endpoint never ran


def test_a_chunked_body_is_counted_as_it_streams_and_cut_at_the_limit():
    client, read = _client()

    def chunks():
        for _ in range(10):
            yield b"x" * 30

    response = client.post("/echo", content=chunks())  # no Content-Length: Transfer-Encoding chunked
    assert response.status_code == 413 and read == []
    small = client.post("/echo", content=iter([b"x" * 30, b"y" * 30]))
    assert small.json() == {"bytes": 60}


def test_without_a_limit_anything_goes():
    client, _ = _client(limit=None)
    assert client.post("/echo", content=b"x" * 5000).json() == {"bytes": 5000}


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer wrong", "Basic s3cret", f"Bearer {TOKEN}x", "Bearer " + "s" * 10_000]
)
def test_wrong_or_missing_tokens_get_401(header):
    client, read = _client(token=TOKEN)
    response = client.post("/echo", content=b"{}", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized" and read == []


def test_the_right_token_passes_and_healthz_is_open():
    client, _ = _client(token=TOKEN)
    assert client.post("/echo", content=b"ab", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.post("/echo", content=b"ab", headers={"Authorization": f"bearer  {TOKEN} "}).status_code == 200
    assert client.post("/healthz", content=b"ab").status_code == 200


def test_every_check_compares_two_32_byte_digests(monkeypatch):
    """Constant time: whatever is sent (nothing, a prefix, 10 kB), the comparison is of equal-length digests."""
    compared: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(guards.hmac, "compare_digest", spy)
    expected = hashlib.sha256(TOKEN.encode()).digest()
    for header in ("", "Bearer ", "Bearer s3", "Basic x", "Bearer " + "a" * 10_000, f"Bearer {TOKEN}"):
        guards.token_matches(header, expected)
    assert compared == [(32, 32)] * 6
    assert guards.token_matches(f"Bearer {TOKEN}", expected) and not guards.token_matches(f"Basic {TOKEN}", expected)
