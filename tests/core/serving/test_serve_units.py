"""The server's request parsing, batching and OpenAPI schema, without starting Ray."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emoai_core.serving.app import ClientError, parse_request
from emoai_core.serving.batching import flatten, run_batched, unflatten


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"", 400, "missing_body"),
        (b"{bad", 400, "invalid_json"),
        (b"\xff\xfe", 400, "invalid_json"),
        (b"[1, 2]", 422, "invalid_request"),
        (b'{"text": 5}', 422, "invalid_request"),
        (b'{"texts": ["a", 1]}', 422, "invalid_request"),
        (b'{"texts": "not a list"}', 422, "invalid_request"),
        (b'{"text": "a", "extra": 1}', 422, "unknown_field"),
        (b'{"text": "a", "texts": ["b"]}', 422, "invalid_request"),
        (b"{}", 422, "invalid_request"),
        (b'{"texts": []}', 422, "empty_texts"),
        (b'{"text": "   "}', 422, "empty_text"),
        (b'{"texts": ["ok", "\\n"]}', 422, "empty_text"),
        (json.dumps({"text": "x" * 101}).encode(), 422, "text_too_long"),
        (json.dumps({"texts": ["a"] * 11}).encode(), 422, "too_many_texts"),
    ],
)
def test_bad_bodies_are_client_errors(body, status, code):
    with pytest.raises(ClientError) as info:
        parse_request(body, max_texts=10, max_chars=100)
    assert (info.value.status, info.value.code) == (status, code)
    assert info.value.message


def test_good_bodies():
    assert parse_request(b'{"text": "i feel great"}', 10, 100) == ["i feel great"]
    assert parse_request(b'{"texts": ["a", "b"]}', 10, 100) == ["a", "b"]


def test_flatten_and_unflatten_round_trip():
    requests = [["a", "b"], ["c"], ["d", "e", "f"]]
    texts, offsets = flatten(requests)
    assert texts == ["a", "b", "c", "d", "e", "f"] and offsets == [0, 2, 3, 6]
    rows = np.arange(12).reshape(6, 2)
    parts = unflatten(rows, offsets)
    assert [p.tolist() for p in parts] == [[[0, 1], [2, 3]], [[4, 5]], [[6, 7], [8, 9], [10, 11]]]
    with pytest.raises(ValueError):
        unflatten(rows[:5], offsets)


def test_run_batched_calls_the_model_once_per_batch():
    calls = []

    def model(texts):
        calls.append(list(texts))
        return np.asarray([[len(t), 0.0] for t in texts])

    out = run_batched([["aa"], ["b", "ccc"]], model)
    assert calls == [["aa", "b", "ccc"]]
    assert [o[:, 0].tolist() for o in out] == [[2.0], [1.0, 3.0]]


def test_openapi_schema_documents_routes_and_models():
    from emoai_core.serving.app import app

    schema = app.openapi()
    assert {"/predict", "/healthz", "/model"} <= set(schema["paths"])
    predict = schema["paths"]["/predict"]["post"]
    body = predict["requestBody"]["content"]["application/json"]["schema"]
    assert [set(branch["properties"]) for branch in body["oneOf"]] == [{"text"}, {"texts"}]
    assert predict["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "PredictResponse"
    )
    assert {"400", "401", "422"} <= set(predict["responses"])
    components = schema["components"]["schemas"]
    assert {"PredictResponse", "PredictionOut", "ModelInfo", "ErrorResponse"} <= set(components)


def test_serve_options_are_checked():
    from emoai_core.base.errors import UsageError
    from emoai_core.serving.options import ServeOptions

    with pytest.raises(UsageError, match="--replicas"):
        ServeOptions(replicas=0).check()
    with pytest.raises(UsageError, match="not a port"):
        ServeOptions(port=70000).check()
    with pytest.raises(UsageError, match="--max-body-bytes"):
        ServeOptions(max_body_bytes=0).check()


def test_status_and_stop_without_a_server(cli):
    status = cli("serve", "status")
    assert status.exit_code == 2 and "no server is running" in status.stderr
    stop = cli("serve", "stop")
    assert stop.exit_code == 0 and "No server is running" in stop.stderr


def test_serve_without_promoted_model(cli):
    result = cli("serve", "--detach", "--port", "8999")
    assert result.exit_code == 2 and "no promoted model yet" in result.stderr


def test_predict_endpoint_unreachable(cli):
    from emoai_core.cluster.local_ray import free_port

    result = cli("predict", "--endpoint", f"http://127.0.0.1:{free_port()}", "hello")
    assert result.exit_code == 3 and "cannot reach the model server" in result.stderr


def test_the_bound_application_has_no_access_log_and_room_for_a_batch():
    from emoai_core.serving.bind import build

    app = build({}, {}, {"max_batch_size": 32}, replicas=2, cpus=1.0, gpus=0)
    deployment = app._bound_deployment
    assert deployment.num_replicas == 2 and deployment._deployment_config.max_ongoing_requests == 64
    assert deployment._deployment_config.logging_config["enable_access_log"] is False


def test_status_names_the_model_the_run_and_the_scrape_address(cli, monkeypatch):
    info = {
        "url": "http://127.0.0.1:8000", "healthy": True, "uptime_s": 90.0, "route": "/",
        "model": "@production v3 (run b6ecf87a)", "run_id": "b6ecf87a39c04bca8d1df143860232f8", "version": "3",
        "ingress": {"kind": "haproxy", "detected": "now"}, "metrics": ["http://10.0.0.5:51831/metrics"],
        "application": {"status": "RUNNING", "deployments": {"EmotionClassifier": {
            "status": "HEALTHY", "replica_states": {"RUNNING": 1}}}},
    }  # fmt: skip
    monkeypatch.setattr("emoai_core.serving.status.status", lambda token: info)
    result = cli("serve", "status")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "model: @production v3 (run b6ecf87a)" in lines
    assert "run:   b6ecf87a39c04bca8d1df143860232f8 · registered version 3" in lines
    assert any(line.startswith("metrics: http://10.0.0.5:51831/metrics") for line in lines)
    assert "  EmotionClassifier: HEALTHY (RUNNING 1)" in lines
