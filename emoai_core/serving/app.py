"""The Ray Serve application: a FastAPI ingress in front of a batched ONNX predictor.

Client mistakes never reach the model: bodies are validated by pydantic models, limits are
checked before batching, and every 4xx answers `{"error": {"code", "message"}}`. The model
files travel with the deployment (as bytes through Ray's object store), so replicas on any node
of any cluster can load them.
"""

import contextlib
import json
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ray import serve
from starlette.exceptions import HTTPException as StarletteHTTPException

from emoai_core.inference.predict import to_predictions
from emoai_core.serving import contract
from emoai_core.serving.guards import BodyLimit, TokenAuth
from emoai_core.serving.observe import Observer
from emoai_core.serving.page import add_page
from emoai_core.serving.runner import ModelRunner


class PredictRequest(BaseModel):
    """Exactly one of `text` or `texts`."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [{"text": "i feel great"}, {"texts": ["i feel great", "i am so scared"]}]
        },
    )
    text: str | None = Field(None, description="One text to classify.")
    texts: list[str] | None = Field(None, description="Several texts to classify in one request.")


class PredictionOut(BaseModel):
    label: str = Field(description="The most likely label.")
    score: float = Field(description="Probability of that label.")
    labels: list[str] | None = Field(
        None, description="Multi-label models only: every label at or above its decision threshold."
    )
    below_threshold: bool | None = Field(
        None, description="Multi-label models only: no label reached its threshold; `labels` holds the top one."
    )
    abstained: bool | None = Field(
        None, description="Models calibrated to abstain: true when the text carries no emotion the model knows."
    )
    probabilities: dict[str, float]


class ModelRef(BaseModel):
    run_id: str | None
    version: str | None


class PredictResponse(BaseModel):
    predictions: list[PredictionOut]
    model: ModelRef


class ModelInfo(BaseModel):
    run_id: str | None
    run_name: str | None
    version: str | None
    alias: str | None
    task: str = Field(description="single_label or multi_label.")
    labels: list[str]
    thresholds: list[float] | None = Field(None, description="Multi-label models: each label's threshold.")
    metrics: dict[str, float]
    max_length: int | None
    loaded_at: float


class Health(BaseModel):
    status: str


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS = {status: {"model": ErrorResponse} for status in (400, 401, 413, 422)}
app = FastAPI(title="emoai", description="Text emotion classifier served by emoai on Ray Serve.", version="1")


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": {"code": code, "message": message}}, headers=headers
    )


@app.exception_handler(RequestValidationError)
async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"type": "invalid", "msg": "invalid request", "loc": ()}
    kind = first.get("type", "")
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    if kind == "json_invalid":
        return error(400, "invalid_json", "the request body is not valid JSON")
    if kind == "missing" and not where:
        return error(400, "missing_body", 'send a JSON body: {"text": "..."} or {"texts": ["...", ...]}')
    if kind == "extra_forbidden":
        return error(422, "unknown_field", f"unknown field '{where}': send only 'text' or 'texts'")
    return error(422, "invalid_request", f"{where or 'body'}: {first.get('msg', 'invalid value')}")


@app.exception_handler(StarletteHTTPException)
async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    codes = {404: "not_found", 405: "method_not_allowed"}
    # keep the exception's headers: a 405 must say which methods are allowed (`Allow`, RFC 9110)
    headers = getattr(exc, "headers", None)
    return error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail), headers)


app.add_middleware(BodyLimit)
add_page(app)
app.add_middleware(TokenAuth)


class ClientError(Exception):
    """A request the server must refuse with a 4xx: it says which and why."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        return error(self.status, self.code, self.message)


def parse_request(raw: bytes, max_texts: int, max_chars: int) -> list[str]:
    """The texts of a valid /predict body, or a ClientError that explains what is wrong.

    The body is parsed as JSON whatever the Content-Type says, so `curl -d '{"text": ...}'` works.
    """
    if not raw.strip():
        raise ClientError(400, "missing_body", 'send a JSON body: {"text": "..."} or {"texts": ["...", ...]}')
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ClientError(400, "invalid_json", "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ClientError(422, "invalid_request", 'the body must be a JSON object: {"text": "..."}')
    try:
        body = PredictRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        if first["type"] == "extra_forbidden":
            raise ClientError(
                422, "unknown_field", f"unknown field '{where}': send only 'text' or 'texts'"
            ) from None
        raise ClientError(422, "invalid_request", f"{where}: {first['msg']}") from None
    if len(data) != 1 or (body.text is None) == (body.texts is None):  # {"text": .., "texts": null} too
        raise ClientError(422, "invalid_request", "send exactly one of 'text' or 'texts'")
    texts = [body.text] if body.text is not None else list(body.texts or [])
    if not texts:
        raise ClientError(422, "empty_texts", "'texts' is empty")
    if len(texts) > max_texts:
        raise ClientError(422, "too_many_texts", f"{len(texts)} texts; at most {max_texts} per request")
    for i, text in enumerate(texts):
        if not text.strip():
            raise ClientError(422, "empty_text", f"text {i} is empty or whitespace")
        if len(text) > max_chars:
            raise ClientError(
                422, "text_too_long", f"text {i} has {len(text)} characters; at most {max_chars}"
            )
    return texts


REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": contract.request_schema(256, 2000)}},
    }
}
def _openapi(served: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with the limits and auth of the replica answering (`contract.apply_limits`)."""
    limits = getattr(served.state, "limits", None)
    schema = FastAPI.openapi(served)
    return contract.apply_limits(schema, *limits) if limits else schema


# bound to the app itself, so the copy of `app` that Serve runs in a replica reads its own state
app.openapi = types.MethodType(_openapi, app)  # type: ignore[method-assign]


@serve.deployment(name="EmotionClassifier", health_check_period_s=10, health_check_timeout_s=30)
@serve.ingress(app)
class EmotionClassifier:
    def __init__(self, bundle: dict[str, bytes], meta: dict[str, Any], settings: dict[str, Any]) -> None:
        from emoai_core.inference.predict import OnnxPredictor

        with tempfile.TemporaryDirectory(prefix="emoai-serve-model-") as folder:  # loaded whole, then removed
            for name, content in bundle.items():
                (Path(folder) / name).write_bytes(content)
            self.predictor = OnnxPredictor(Path(folder), threads=settings.get("threads"))
        self.meta = meta
        self.max_texts = int(settings["max_batch_texts"])
        self.max_chars = int(settings["max_text_chars"])
        self.loaded_at = time.time()
        self.observer = Observer(self.predictor.tokenizer, settings.get("monitor"))
        self.runner = ModelRunner(
            self.predictor.predict_proba,
            int(settings["max_batch_size"]),
            float(settings["batch_wait_ms"]) / 1000,
            on_batch=self.observer.batch,
        )
        self.model_ref = {"run_id": meta.get("run_id"), "version": meta.get("version")}
        token_sha = settings.get("token_sha256")
        app.state.token_digest = bytes.fromhex(token_sha) if token_sha else None
        app.state.max_body_bytes = int(settings.get("max_body_bytes") or 0) or None
        app.state.limits = (self.max_texts, self.max_chars, bool(token_sha))

    @app.post("/predict", response_model=PredictResponse, responses=ERRORS, openapi_extra=REQUEST_BODY)
    async def predict(self, request: Request) -> Any:
        started = time.perf_counter()
        try:
            texts = parse_request(await request.body(), self.max_texts, self.max_chars)
        except ClientError as exc:
            self.observer.refused(exc.status, exc.code, started)
            return exc.response()
        try:
            probs = await self.runner.predict(texts)
        except Exception:
            self.observer.refused(500, "model_error", started)
            raise
        answers = to_predictions(self.predictor.label_map, np.asarray(probs))
        self.observer.answered(texts, answers, started)
        # A plain JSONResponse skips FastAPI re-validating the response model on the hot path;
        # PredictResponse still documents it in OpenAPI.
        return JSONResponse({"predictions": [p.to_json() for p in answers], "model": self.model_ref})

    @app.get("/healthz", response_model=Health)
    async def healthz(self) -> Health:
        return Health(status="ok")

    @app.get("/model", response_model=ModelInfo, responses=ERRORS)
    async def model(self) -> ModelInfo:
        metrics = {
            k: float(v) for k, v in (self.meta.get("metrics") or {}).items() if isinstance(v, int | float)
        }
        return ModelInfo(
            run_id=self.meta.get("run_id"),
            run_name=self.meta.get("run_name"),
            version=self.meta.get("version"),
            alias=self.meta.get("alias"),
            task=self.predictor.label_map.task,
            labels=list(self.predictor.labels),
            thresholds=list(self.predictor.label_map.thresholds or []) or None,
            metrics=metrics,
            max_length=self.meta.get("max_length"),
            loaded_at=self.loaded_at,
        )

    def __del__(self) -> None:
        """Serve stops the replica: write what the prediction log still holds."""
        for part in ("runner", "observer"):
            if hasattr(self, part):
                with contextlib.suppress(Exception):  # shutting down: nothing left to tell
                    getattr(self, part).close()

    def check_health(self) -> None:
        """Serve restarts a replica whose model stops answering."""
        probs = self.predictor.predict_proba(["health check"])
        if probs.shape != (1, len(self.predictor.labels)):
            raise RuntimeError(f"model returned shape {probs.shape}")
