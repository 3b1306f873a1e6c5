"""`GET /`: a small self-contained page (no CDN, no external requests) to try the served model.

A person types a sentence and sees the label (every label above its threshold, for a multi-label
model) and each label's score as a bar. The page itself is open; when the server asks for a
token the page asks for it and sends it as `Authorization: Bearer …` with every call.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

PAGE_PATH = "/"
PAGE_FILE = Path(__file__).with_name("page.html")


@cache
def page_html() -> str:
    return PAGE_FILE.read_text(encoding="utf-8")


def add_page(app: FastAPI) -> None:
    """Register `GET /` on a FastAPI app (kept out of the OpenAPI schema)."""
    from fastapi.responses import HTMLResponse

    async def page() -> HTMLResponse:
        return HTMLResponse(page_html(), headers={"Cache-Control": "no-cache"})

    app.add_api_route(PAGE_PATH, page, methods=["GET"], include_in_schema=False, response_class=HTMLResponse)
