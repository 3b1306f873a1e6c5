"""emoai_core.serving.page: `GET /` is a self-contained page that needs no token to load."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from emoai_core.serving.page import PAGE_PATH, add_page, page_html


def test_the_page_is_served_and_self_contained():
    app = FastAPI()
    add_page(app)
    response = TestClient(app).get(PAGE_PATH)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert html == page_html()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # no CDN, nothing fetched from elsewhere
    assert "fetch(\"predict\"" in html and "Authorization" in html and "Bearer" in html
    for element in ('id="text"', 'id="submit"', 'id="token"', 'id="result-label"', 'id="bars"'):
        assert element in html
    assert "innerHTML" not in html  # label names are free text: only ever set as text
    assert PAGE_PATH not in app.openapi()["paths"]


def test_the_page_is_open_on_a_server_that_asks_for_a_token():
    from emoai_core.serving.app import app
    from emoai_core.serving.guards import OPEN_PATHS

    assert PAGE_PATH in OPEN_PATHS
    assert any(getattr(route, "path", None) == PAGE_PATH for route in app.routes)
