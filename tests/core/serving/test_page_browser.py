"""emoai_core.serving.page in a real headless Chromium: ask for the token, type, submit, read the labels (slow).

The page talks to a small stand-in server with the real page route and the real token check
(`serving.guards.TokenAuth`), answering in the server's single- and multi-label shapes; the real
Ray server's page is driven once in test_serve_ray.py.
"""

from __future__ import annotations

import threading
import time

import pytest
from chromium import Browser, chromium_binary
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

pytestmark = pytest.mark.slow
TOKEN = "page-token"
LABELS = ["sadness", "joy", "love", "anger", "fear", "surprise"]


def _stand_in(multi_label: bool) -> FastAPI:
    from emoai_core.serving.guards import TokenAuth, token_digest
    from emoai_core.serving.page import add_page

    app = FastAPI()
    app.state.token_digest = token_digest(TOKEN)
    app.add_middleware(TokenAuth)
    add_page(app)

    @app.post("/predict")
    async def predict(request: Request) -> JSONResponse:
        text = (await request.json())["text"]
        top = "fear" if "scared" in text else "joy"
        scores = {name: 0.02 for name in LABELS} | {top: 0.81, "love": 0.55 if multi_label else 0.03}
        answer = {"label": top, "score": 0.81, "probabilities": scores}
        if multi_label:
            answer |= {"labels": [top, "love"], "below_threshold": False}
        return JSONResponse({"predictions": [answer], "model": {"run_id": "r", "version": "5"}})

    @app.get("/model")
    async def model() -> dict:
        task = "multi_label" if multi_label else "single_label"
        return {"version": "5", "task": task, "labels": LABELS, "run_name": "bright-owl-1"}

    return app


@pytest.fixture
def serve_page():
    import uvicorn

    from emoai_core.cluster.local_ray import free_port

    servers = []

    def start(multi_label: bool = False) -> str:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(_stand_in(multi_label), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}/"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def browser():
    binary = chromium_binary()
    if binary is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    opened = Browser(binary)
    yield opened
    opened.close()


def test_the_page_asks_for_the_token_and_shows_the_label_and_bars(serve_page, browser):
    browser.open(serve_page())
    browser.wait_for("document.getElementById('token-row').classList.contains('needed')")  # /model said 401
    assert "asks for a token" in browser.text("#error")
    browser.type("#token", TOKEN)
    browser.type("#text", "i am so scared of the dark")
    browser.click("#submit")
    browser.wait_for("document.getElementById('result').classList.contains('shown')")
    assert browser.text("#result-label") == "fear"
    bars = browser.js("[...document.querySelectorAll('#bars .bar')].map(b => [b.dataset.label, b.querySelector('.score').textContent])")
    assert bars[0] == ["fear", "0.810"] and len(bars) == len(LABELS)
    assert browser.js("document.querySelector('#bars .fill').style.width") == "81%"
    browser.wait_for("document.getElementById('model').textContent.includes('v5')")  # described once the token works
    assert "single-label" in browser.text("#model")


def test_a_wrong_token_is_said(serve_page, browser):
    browser.open(serve_page())
    browser.type("#token", "not-the-token")
    browser.type("#text", "hello")
    browser.click("#submit")
    browser.wait_for("document.getElementById('error').textContent.includes('missing or wrong')")
    assert not browser.js("document.getElementById('result').classList.contains('shown')")


def test_a_multi_label_answer_shows_every_label_above_threshold(serve_page, browser):
    browser.open(serve_page(multi_label=True))
    browser.type("#token", TOKEN)
    browser.type("#text", "i feel great and loved")
    browser.click("#submit")
    browser.wait_for("document.getElementById('result').classList.contains('shown')")
    chips = browser.js("[...document.querySelectorAll('#result-labels .chip')].map(c => c.textContent)")
    assert chips == ["joy", "love"]
    chosen = browser.js("[...document.querySelectorAll('#bars .bar.chosen')].map(b => b.dataset.label)")
    assert chosen == ["joy", "love"]
