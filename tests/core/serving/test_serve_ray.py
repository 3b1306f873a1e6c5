"""A real Ray Serve deployment of the tiny model: routes, bad input, auth, status, roll-out, stop (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import httpx
import pytest
from fixtures import LABELS

pytestmark = pytest.mark.slow
TOKEN = "s3cret-token"


def _emoai(env, *args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "emoai_cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def server(tiny_model_dir, emoai_home):
    from emoai_core.cluster.local_ray import free_port
    from emoai_core.model.export import build_local_copy

    build_local_copy(
        tiny_model_dir,
        emoai_home / "models" / "production",
        {"run_id": "a" * 32, "version": "7", "max_length": 64, "metrics": {"test_accuracy": 0.5}},
    )
    port = free_port()
    env = {**os.environ, "EMOAI_HOME": str(emoai_home)}
    args = [
        "serve",
        "--detach",
        "--port",
        str(port),
        "--token",
        TOKEN,
        "--max-batch-texts",
        "4",
        "--max-text-chars",
        "50",
        "--max-batch-size",
        "8",
    ]
    started = _emoai(env, *args)
    assert started.returncode == 0, started.stderr
    url = f"http://127.0.0.1:{port}"
    try:
        yield {"url": url, "env": env, "port": port, "args": args}
    finally:
        state = (
            json.loads((emoai_home / "serve.json").read_text())
            if (emoai_home / "serve.json").exists()
            else {}
        )
        stopped = _emoai(env, "serve", "stop")
        assert stopped.returncode == 0, stopped.stderr
        with pytest.raises(httpx.ConnectError):
            httpx.get(url + "/healthz", timeout=5)
        if state.get("temp_dir"):
            from emoai_core.cluster.local_ray import pids

            assert pids(state["temp_dir"]) == []


def _auth():
    return {"Authorization": f"Bearer {TOKEN}"}


def test_routes_auth_bad_input_status_and_rollout(server):
    url = server["url"]
    assert httpx.get(url + "/healthz").json() == {"status": "ok"}  # open without a token
    for method, path in (("POST", "/predict"), ("GET", "/model"), ("GET", "/docs"), ("GET", "/openapi.json")):
        refused = httpx.request(method, url + path, json={"text": "hi"})
        assert refused.status_code == 401, path
        assert refused.json()["error"]["code"] == "unauthorized"
    wrong = httpx.post(url + "/predict", json={"text": "hi"}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401

    one = httpx.post(
        url + "/predict", content=b'{"text": "i feel great"}', headers=_auth()
    )  # no content type
    assert one.status_code == 200, one.text
    prediction = one.json()["predictions"][0]
    assert prediction["label"] in LABELS and set(prediction["probabilities"]) == set(LABELS)
    assert one.json()["model"] == {"run_id": "a" * 32, "version": "7"}
    many = httpx.post(url + "/predict", json={"texts": ["a", "b", "c"]}, headers=_auth())
    assert len(many.json()["predictions"]) == 3

    bad = {
        b"{oops": 400,
        b"": 400,
        b'{"text": 3}': 422,
        b'{"text": " "}': 422,
        b'{"texts": ["a","b","c","d","e"]}': 422,
        ('{"text": "' + "x" * 51 + '"}').encode(): 422,
        b'{"text": "a", "mood": 1}': 422,
    }
    for body, status in bad.items():
        response = httpx.post(url + "/predict", content=body, headers=_auth())
        assert response.status_code == status, (body, response.text)
        assert set(response.json()["error"]) == {"code", "message"}
    assert httpx.post(url + "/predict", json={"text": "still serving"}, headers=_auth()).status_code == 200

    model = httpx.get(url + "/model", headers=_auth()).json()
    assert (
        model["labels"] == LABELS and model["version"] == "7" and model["metrics"] == {"test_accuracy": 0.5}
    )
    assert "/predict" in httpx.get(url + "/openapi.json", headers=_auth()).json()["paths"]

    results: list[int] = []

    def burst():
        with httpx.Client(headers=_auth(), timeout=60) as client:
            results.append(client.post(url + "/predict", json={"text": "batch me"}).status_code)

    threads = [threading.Thread(target=burst) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 24

    env = server["env"]
    remote = _emoai(
        {**env, "EMOAI_SERVE_TOKEN": TOKEN}, "predict", "--endpoint", url, "--json", "i am so scared"
    )
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout)[0]["label"] in LABELS
    no_token = _emoai(env, "predict", "--endpoint", url, "hi")
    assert no_token.returncode == 2 and "--token" in no_token.stderr

    status = _emoai(env, "serve", "status", "--json", "--token", TOKEN)
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["healthy"] is True and info["url"] == url and info["version"] == "7"
    deployment = info["application"]["deployments"]["EmotionClassifier"]
    assert info["application"]["status"] == "RUNNING" and deployment["replica_states"] == {"RUNNING": 1}

    # roll out again while requests keep coming: none may fail
    stop = threading.Event()
    codes: list[int] = []

    def hammer():
        with httpx.Client(headers=_auth(), timeout=60) as client:
            while not stop.is_set():
                try:
                    codes.append(client.post(url + "/predict", json={"text": "during rollout"}).status_code)
                except httpx.HTTPError:
                    codes.append(-1)

    worker = threading.Thread(target=hammer)
    worker.start()
    try:
        rolled = _emoai(env, *server["args"])
    finally:
        stop.set()
        worker.join()
    assert rolled.returncode == 0, rolled.stderr
    assert codes and set(codes) == {200}, sorted(set(codes))
