"""The model a server loads: an ONNX bundle (graph, weights, tokenizer, labels, meta) as bytes.

The files travel with the deployment through Ray's object store, so replicas on any node of any
cluster load the same model without a shared disk.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError
from emoai_core.base.settings import paths
from emoai_core.model.bundle import BUNDLE_FILES, META_FILE, ONNX_FILE, REQUIRED_FILES


def model_bundle(folder: Path) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The ONNX bundle's files as bytes, plus its meta (run id, version, metrics)."""
    missing = [n for n in REQUIRED_FILES if not (folder / n).is_file()]
    if missing:
        raise UsageError(
            f"{folder} is not an ONNX model bundle (missing {', '.join(missing)})",
            "serve a promoted model (emoai runs promote RUN) or a folder from 'emoai export --format onnx'",
        )
    bundle = {n: (folder / n).read_bytes() for n in BUNDLE_FILES if (folder / n).is_file()}
    meta = json.loads(bundle[META_FILE]) if META_FILE in bundle else {}
    return bundle, meta


def onnx_bundle_for_run(run_ref: str) -> Path:
    """An ONNX bundle for any run (exported once into the cache)."""
    from emoai_core.model.export import export_onnx
    from emoai_core.tracking.local_models import bundle_meta, max_length_of, resolve_model_dir
    from emoai_core.tracking.registry import latest_version, versions_by_run
    from emoai_core.tracking.runs import resolve_run
    from emoai_core.tracking.store import client

    run = resolve_run(run_ref)
    run_id = run.info.run_id
    target = paths().onnx_cache(run_id)
    if not (target / ONNX_FILE).is_file():
        meta = bundle_meta(run, latest_version(versions_by_run(client()).get(run_id, [])))
        export_onnx(resolve_model_dir(run_id), target, max_length_of(run), meta)
    return target
