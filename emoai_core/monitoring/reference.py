"""What served traffic is compared with: the model's training data, seen through the model.

A served model is known to the monitor by its key (its MLflow run id, else a hash of its graph)
and a small record written when it is deployed (its folder, version and training data version).
From those come, once each and cached under EMOAI_HOME/monitor/reference/:
- the training vocabulary (token ids of the training split, `features.known_ids`), shipped to the
  replicas so each logged text carries its unknown-token share;
- the reference profile: up to REFERENCE_TEXTS texts of the training data version's validation
  split (held out from training, so it looks like the traffic the model was built for), each with
  the model's label(s) and confidence, its length, token count and unknown-token share.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from emoai_core.base.errors import UsageError
from emoai_core.base.settings import paths
from emoai_core.model.bundle import TOKENIZER_FILE
from emoai_core.monitoring.features import TRAIN, UNK

if TYPE_CHECKING:
    from emoai_core.data.versions import DataVersion

REFERENCE_TEXTS = 1000
REFERENCE_SPLIT = "validation"


def model_key(meta: dict[str, Any], graph: bytes) -> str:
    return str(meta.get("run_id") or "graph-" + hashlib.sha256(graph).hexdigest()[:16])


def register_model(key: str, model_dir: Path, meta: dict[str, Any], data_ref: str | None, basis: str) -> None:
    """Remember what the served model `key` is; `basis` is how its replicas count unknown tokens."""
    from emoai_core.base.atomic import atomic_write_text

    record = {
        "key": key,
        "model_dir": str(model_dir),
        "version": meta.get("version"),
        "data": data_ref,
        "basis": basis,
    }
    atomic_write_text(paths().served_model(key), json.dumps(record, indent=2) + "\n")


def served_model(key: str) -> dict[str, Any]:
    try:
        return json.loads(paths().served_model(key).read_text())
    except (OSError, ValueError):
        raise UsageError(
            f"no record of the served model {key}", "it is written when 'emoai serve' deploys a model"
        ) from None


def training_vocabulary(model_dir: Path, data_ref: str | None) -> np.ndarray | None:
    """The token ids of the training split of `data_ref` (None when there is no such version here)."""
    from emoai_core.monitoring.features import known_ids, pack, plain_tokenizer, unpack

    version = _data_version(data_ref)
    if version is None:
        return None
    tokenizer = plain_tokenizer(Path(model_dir) / TOKENIZER_FILE)
    digest = hashlib.sha256((Path(model_dir) / TOKENIZER_FILE).read_bytes()).hexdigest()[:12]
    cache = paths().monitor_reference(f"vocab-{version.name}@{version.version}-{digest}.bits")
    size = tokenizer.get_vocab_size()
    if cache.is_file():
        return unpack(cache.read_bytes(), size)
    texts, _ = version.read_split("train")
    known = known_ids(tokenizer, texts)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pack(known))
    return known


def _data_version(ref: str | None) -> DataVersion | None:
    from emoai_core.base.errors import NotFoundError
    from emoai_core.data.versions import resolve_version

    if not ref:
        return None
    try:
        return resolve_version(ref)
    except NotFoundError:
        return None


def reference_profile(key: str, data_ref: str | None = None) -> dict[str, Any]:
    """The reference for the model `key` (built once, then read from the cache)."""
    model = served_model(key)
    ref = data_ref or model.get("data")
    if not ref:
        raise UsageError(
            f"the served model {key[:12]} does not name its training data",
            "name the reference data: emoai monitor --data NAME@VERSION",
        )
    version = _data_version(ref)
    if version is None:
        raise UsageError(f"data version {ref} is not in this EMOAI_HOME", "pull it: emoai data pull …")
    basis = model.get("basis") or UNK
    cache = paths().monitor_reference(f"profile-{key}-{basis}-{version.name}@{version.version}.json")
    if cache.is_file():
        return json.loads(cache.read_text())
    model_dir = Path(model["model_dir"])
    known = training_vocabulary(model_dir, model.get("data")) if basis == TRAIN else None
    profile = build_profile(model_dir, version, known)
    from emoai_core.base.atomic import atomic_write_text

    atomic_write_text(cache, json.dumps(profile) + "\n")
    return profile


def build_profile(
    model_dir: Path, version: DataVersion, known: np.ndarray | None, limit: int = REFERENCE_TEXTS
) -> dict[str, Any]:
    """Predictions and text features of a seeded sample of the data version's validation split,
    unknown tokens counted as the replicas count them (`known`: the training vocabulary, or None)."""
    from emoai_core.inference.predict import load_predictor, predict
    from emoai_core.monitoring.features import TextFeatures

    if not model_dir.is_dir():
        raise UsageError(f"the served model's folder {model_dir} is gone", "serve the model again")
    texts, _ = version.read_split(REFERENCE_SPLIT)
    if len(texts) > limit:
        texts = random.Random(0).sample(texts, limit)
    predictor = load_predictor(model_dir)
    predictions = predict(predictor, texts)
    features = TextFeatures(model_dir / TOKENIZER_FILE, known)(texts)
    labels: list[str] = []
    for p in predictions:
        labels.extend(p.labels if p.labels is not None else [p.label])
    return {
        "data": version.ref,
        "split": REFERENCE_SPLIT,
        "n": len(texts),
        "labels": labels,
        "score": [round(p.score, 5) for p in predictions],
        "chars": [f[0] for f in features],
        "tokens": [f[1] for f in features],
        "unk": [f[2] for f in features],
    }
