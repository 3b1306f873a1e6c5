"""The server's OpenAPI contract, as strict as the server itself.

The request body is exactly one of `{"text": ...}` or `{"texts": [...]}` (a `oneOf`), with the
limits this server was started with (text length, texts per request), so a client or a fuzzer
that follows the schema is never refused, and the server refuses everything the schema does.
With a token, the routes that need it declare bearer auth.
"""

from __future__ import annotations

from typing import Any

TEXT_PATTERN = r"\S"  # at least one character that is not whitespace (str.strip() would leave it)
SECURED_PATHS = ("/predict", "/model")


def text_schema(max_chars: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_chars, "pattern": TEXT_PATTERN}


def request_schema(max_texts: int, max_chars: int) -> dict[str, Any]:
    """The /predict body: one text, or 1..max_texts texts; nothing else."""
    text = text_schema(max_chars)
    return {
        "oneOf": [
            {
                "title": "One text",
                "type": "object",
                "properties": {"text": {**text, "description": "One text to classify."}},
                "required": ["text"],
                "additionalProperties": False,
            },
            {
                "title": "Several texts",
                "type": "object",
                "properties": {
                    "texts": {
                        "type": "array",
                        "items": text,
                        "minItems": 1,
                        "maxItems": max_texts,
                        "description": "Several texts to classify in one request.",
                    }
                },
                "required": ["texts"],
                "additionalProperties": False,
            },
        ],
        "examples": [{"text": "i feel great"}, {"texts": ["i feel great", "i am so scared"]}],
    }


def max_body_bytes(max_texts: int, max_chars: int) -> int:
    """A body limit every request the schema allows fits under: each character escaped (6 bytes)."""
    return 64 * 1024 + max_texts * (6 * max_chars + 4)


def apply_limits(
    schema: dict[str, Any], max_texts: int, max_chars: int, token_required: bool
) -> dict[str, Any]:
    """The generated OpenAPI document with this server's request schema and auth, changed in place."""
    predict = schema["paths"]["/predict"]["post"]
    predict["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": request_schema(max_texts, max_chars)}},
    }
    if token_required:
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
        }
        for path in SECURED_PATHS:
            for operation in schema["paths"].get(path, {}).values():
                operation["security"] = [{"bearer": []}]
    return schema
