"""emoai_core.serving.contract: the OpenAPI request schema says exactly what the server accepts."""

from __future__ import annotations

import json

import pytest

from emoai_core.serving.app import ClientError, parse_request
from emoai_core.serving.contract import apply_limits, max_body_bytes, request_schema

MAX_TEXTS, MAX_CHARS = 3, 20


def _valid(body: object) -> bool:
    import jsonschema

    try:
        jsonschema.validate(body, request_schema(MAX_TEXTS, MAX_CHARS))
    except jsonschema.ValidationError:
        return False
    return True


def _accepted(body: object) -> bool:
    try:
        parse_request(json.dumps(body).encode(), MAX_TEXTS, MAX_CHARS)
    except ClientError:
        return False
    return True


@pytest.mark.parametrize(
    "body",
    [
        {"text": "hi"},
        {"texts": ["a", "b"]},
        {},
        {"text": "a", "texts": ["b"]},
        {"text": "a", "texts": None},
        {"text": None},
        {"texts": []},
        {"texts": ["a"] * 4},
        {"text": " \n\t"},
        {"text": ""},
        {"text": "x" * 21},
        {"text": "x" * 20},
        {"text": "\x00"},
        {"texts": ["ok", " "]},
        {"text": "a", "mood": 1},
        {"text": 3},
        [{"text": "a"}],
        "text",
    ],
)
def test_the_schema_and_the_server_agree(body):
    assert _valid(body) == _accepted(body), body


def test_the_schema_is_a_one_of_with_the_servers_limits():
    schema = request_schema(MAX_TEXTS, MAX_CHARS)
    one, many = schema["oneOf"]
    assert one["required"] == ["text"] and many["required"] == ["texts"]
    assert one["additionalProperties"] is False and many["additionalProperties"] is False
    assert one["properties"]["text"]["maxLength"] == MAX_CHARS
    assert many["properties"]["texts"]["maxItems"] == MAX_TEXTS


def test_the_body_limit_fits_the_largest_request_the_schema_allows():
    largest = json.dumps({"texts": ["\x01" * MAX_CHARS] * MAX_TEXTS}).encode()
    assert len(largest) <= max_body_bytes(MAX_TEXTS, MAX_CHARS)


def test_the_served_document_carries_the_limits_and_bearer_auth():
    from emoai_core.serving.app import app

    schema = apply_limits(json.loads(json.dumps(app.openapi())), MAX_TEXTS, MAX_CHARS, token_required=True)
    predict = schema["paths"]["/predict"]["post"]
    assert predict["requestBody"]["content"]["application/json"]["schema"] == request_schema(MAX_TEXTS, MAX_CHARS)
    assert predict["security"] == [{"bearer": []}] and schema["paths"]["/model"]["get"]["security"]
    assert "security" not in schema["paths"]["/healthz"]["get"]
    assert {"400", "401", "413", "422"} <= set(predict["responses"])
    assert schema["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_a_405_says_which_methods_are_allowed():
    from starlette.testclient import TestClient

    from emoai_core.serving.app import app

    client = TestClient(app)
    for method, path, allowed in (("TRACE", "/healthz", "GET"), ("PUT", "/predict", "POST"), ("DELETE", "/model", "GET")):
        response = client.request(method, path)
        assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
        assert response.headers["allow"] == allowed
