"""The model bundle format: which files an exported model folder holds and what its meta says.

`export` writes bundles, `inference.predict` and the server read them, `tracking.local_models`
fills their meta: the file names and defaults are spelled here once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emoai_core.model.labels import LABELS_FILE

ONNX_FILE = "model.onnx"
ONNX_DATA_FILE = "model.onnx.data"  # the name onnxscript gives the weights of ONNX_FILE
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "meta.json"
NORMALIZE_FILE = "normalize.json"  # optional: the input normalisation the model was trained with
BUNDLE_FILES = (ONNX_FILE, TOKENIZER_FILE, LABELS_FILE, META_FILE, ONNX_DATA_FILE, NORMALIZE_FILE)
REQUIRED_FILES = (ONNX_FILE, TOKENIZER_FILE, LABELS_FILE)
DEFAULT_MAX_LENGTH = 128


def read_meta(folder: Path) -> dict[str, Any]:
    """The bundle's meta (run, version, alias, metrics, max length); empty when it has none."""
    path = Path(folder) / META_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def max_length(folder: Path) -> int:
    """The token limit the model was trained with (what predictions must truncate to)."""
    return int(read_meta(folder).get("max_length") or DEFAULT_MAX_LENGTH)
