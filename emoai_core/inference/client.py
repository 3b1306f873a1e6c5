"""A small HTTP client for a running `emoai serve`, used by `emoai predict --endpoint`."""

from __future__ import annotations

from typing import Any

from emoai_core.base.errors import EmoaiError, UnreachableError, UsageError
from emoai_core.inference.predict import Prediction

TIMEOUT = 30.0


def _error_message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, dict):
        return str(detail.get("message") or detail)
    return str(detail)[:300]


def predict_remote(endpoint: str, texts: list[str], token: str | None = None) -> list[Prediction]:
    """POST the texts to `<endpoint>/predict` and return one Prediction per text."""
    import httpx

    url = endpoint.rstrip("/") + "/predict"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.post(url, json={"texts": texts}, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise UnreachableError(
            f"cannot reach the model server at {endpoint} ({type(exc).__name__})",
            "is it running? check 'emoai serve status', or start one with 'emoai serve --detach'",
        ) from None
    if response.status_code == 401:
        raise UsageError(
            f"the model server at {endpoint} refused the request: {_error_message(response)}",
            "pass the server's token with --token or EMOAI_SERVE_TOKEN",
        )
    if 400 <= response.status_code < 500:
        raise UsageError(
            f"the model server rejected the request ({response.status_code}): {_error_message(response)}"
        )
    if response.status_code >= 500:
        raise EmoaiError(f"the model server failed ({response.status_code}): {_error_message(response)}")
    return [Prediction.from_json(p) for p in response.json()["predictions"]]
