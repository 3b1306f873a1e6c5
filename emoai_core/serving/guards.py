"""What every request passes before the app sees it: a byte limit on the body, then the token.

Both are plain ASGI middleware (Starlette's `BaseHTTPMiddleware` wraps every request in an extra
task and stream). Their settings live on the state of the app that answers (`scope["app"]`):
Serve runs a copy of the module's app in every replica.

- The body limit answers 413 before reading a body whose Content-Length is too large, and counts
  the bytes of a body sent without one (chunked) as they arrive, stopping at the limit.
- Auth compares SHA-256 digests (always 32 bytes, whatever was sent) with `hmac.compare_digest`,
  so a wrong token costs the same time however long it is or however much of it is right.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from starlette.responses import JSONResponse

from emoai_core.serving.page import PAGE_PATH

OPEN_PATHS = frozenset({"/healthz", PAGE_PATH})  # the page asks for the token itself


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


def token_matches(header: str, expected: bytes) -> bool:
    """Whether an `Authorization` header carries the token whose digest is `expected` (constant time)."""
    scheme, _, token = header.partition(" ")
    given = token.strip() if scheme.lower() == "bearer" else ""
    matches = hmac.compare_digest(token_digest(given), expected)
    return matches and scheme.lower() == "bearer"


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": {"code": code, "message": message}}, headers=headers
    )


def _state(scope: dict, name: str) -> Any:
    running = scope.get("app")
    return getattr(running.state, name, None) if running is not None else None


class BodyTooLarge(Exception):
    """Raised from `receive` when a streamed body passes the limit."""


class BodyLimit:
    """413 for a request body over `app.state.max_body_bytes`, before (or instead of) reading it."""

    def __init__(self, asgi_app: Any) -> None:
        self.app = asgi_app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        limit = _state(scope, "max_body_bytes") if scope["type"] == "http" else None
        if not limit:
            await self.app(scope, receive, send)
            return
        too_large = _error(413, "body_too_large", f"the request body is larger than {limit} bytes")
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.strip().isdigit() and int(length) > limit:
            await too_large(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await too_large(scope, receive, send)


class TokenAuth:
    """401 unless `Authorization: Bearer <token>` matches `app.state.token_digest` (all routes but /healthz)."""

    def __init__(self, asgi_app: Any) -> None:
        self.app = asgi_app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        expected = _state(scope, "token_digest") if scope["type"] == "http" else None
        if expected and scope["path"] not in OPEN_PATHS:
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            if not token_matches(header, expected):
                refused = _error(
                    401,
                    "unauthorized",
                    "send 'Authorization: Bearer <token>'",
                    {"WWW-Authenticate": "Bearer"},
                )
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)
