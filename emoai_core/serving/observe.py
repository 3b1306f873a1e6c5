"""What a replica records about each /predict request: Prometheus metrics and the prediction log.

The request path only counts (a few `ray.util.metrics` calls) and queues one item; the log's
thread tokenises the texts for their features and writes the lines (`monitoring.predlog`).
Nothing here may fail a request: every hook swallows its own errors.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emoai_core.inference.predict import Prediction
from emoai_core.monitoring.features import TextFeatures, unpack
from emoai_core.monitoring.predlog import PredictionLog

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from emoai_core.serving.metrics import ServeMetrics


def monitor_settings(
    folder: Path | None, key: str, version: str | None, known: bytes | None, log_texts: bool
) -> dict[str, Any]:
    """What the deploy hands each replica (see `Observer`)."""
    return {
        "folder": str(folder) if folder else None,
        "key": key,
        "version": version,
        "known": known,
        "log_texts": log_texts,
    }


def monitor_for(model_folder: Path, bundle: dict[str, bytes], meta: dict[str, Any], log_texts: bool) -> dict[str, Any]:
    """Register the model for `emoai monitor` and say what its replicas record (deploy side).

    The training vocabulary comes from the model's data version when this EMOAI_HOME has it;
    the log goes to this EMOAI_HOME's path on whichever node runs a replica.
    """
    from emoai_core.base.settings import paths
    from emoai_core.model.bundle import ONNX_DATA_FILE, ONNX_FILE
    from emoai_core.monitoring.features import TRAIN, UNK, pack
    from emoai_core.monitoring.reference import model_key, register_model, training_vocabulary

    key = model_key(meta, bundle[ONNX_FILE] + bundle.get(ONNX_DATA_FILE, b""))
    data_ref = meta.get("data")
    known = training_vocabulary(Path(model_folder), data_ref)
    register_model(key, Path(model_folder), meta, data_ref, TRAIN if known is not None else UNK)
    packed = pack(known) if known is not None else None
    return monitor_settings(paths().prediction_logs, key, meta.get("version"), packed, log_texts)


class Observer:
    def __init__(self, tokenizer: Tokenizer, settings: dict[str, Any] | None) -> None:
        settings = settings or {}
        self.key = str(settings.get("key") or "unknown")
        self.version = settings.get("version")
        self.log_texts = bool(settings.get("log_texts"))
        self.prefix = secrets.token_hex(3)
        self.count = itertools.count(1)
        self.metrics = _metrics(str(self.version or self.key[:12]))
        known = settings.get("known")
        self.features = None
        self.log = None
        if settings.get("folder"):
            size = tokenizer.get_vocab_size()
            self.features = TextFeatures(tokenizer, unpack(known, size) if known else None)
            tag = f"{self.prefix}-{os.getpid()}"
            self.log = PredictionLog(Path(settings["folder"]), self._render, tag=tag)

    def answered(self, texts: list[str], predictions: list[Prediction], started: float) -> None:
        ms = (time.perf_counter() - started) * 1e3
        if self.metrics is not None:
            with contextlib.suppress(Exception):
                self.metrics.answered(ms, [p.label for p in predictions], [p.score for p in predictions])
        if self.log is not None:
            with contextlib.suppress(Exception):
                self.log.put(("ok", time.time(), self._request_id(), ms, texts, predictions))

    def refused(self, status: int, code: str, started: float) -> None:
        ms = (time.perf_counter() - started) * 1e3
        if self.metrics is not None:
            with contextlib.suppress(Exception):
                self.metrics.refused(status, code, ms)
        if self.log is not None:
            with contextlib.suppress(Exception):
                self.log.put(("error", time.time(), self._request_id(), ms, status, code))

    def batch(self, size: int) -> None:
        with contextlib.suppress(Exception):
            if self.metrics is not None:
                self.metrics.batch_size(size)

    def close(self) -> None:
        if self.log is not None:
            self.log.close(timeout=3.0)

    def _request_id(self) -> str:
        return f"{self.prefix}-{next(self.count)}"

    def _render(self, item: tuple) -> list[dict[str, Any]]:
        """One item from the queue as log records (runs on the log's thread)."""
        kind, t, req, ms, *rest = item
        base = {"t": round(t, 3), "model": self.key, "v": self.version, "req": req, "ms": round(ms, 2)}
        if kind == "error":
            status, code = rest
            return [{**base, "status": status, "error": code}]
        texts, predictions = rest
        features = self.features(texts) if self.features is not None else [(len(t), None, None) for t in texts]
        records = []
        for text, prediction, (chars, tokens, unk) in zip(texts, predictions, features, strict=True):
            record = {**base, "n": len(texts), "chars": chars, "tokens": tokens, "unk": unk}
            record.update(label=prediction.label, score=round(prediction.score, 5))
            if prediction.labels is not None:
                record["labels"] = list(prediction.labels)
            if self.log_texts:
                record["text"] = text
            records.append(record)
        return records


def _metrics(model: str) -> ServeMetrics | None:
    try:
        from emoai_core.serving.metrics import ServeMetrics

        return ServeMetrics(model)
    except Exception:  # noqa: BLE001 - outside a Ray worker there is nowhere to send metrics
        return None
