"""Models on local disk: a run's registered model as a plain Hugging Face folder (downloaded once),
and the promoted model's fast-loading copy under EMOAI_HOME/models/<alias>/.

The bundle's `meta.json` (run, version, alias, metrics, max length, data version) is written
only by `bundle_meta`, so the local copy, served bundles and `emoai predict` read the same facts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emoai_core.base.settings import paths
from emoai_core.model.bundle import DEFAULT_MAX_LENGTH, META_FILE, NORMALIZE_FILE
from emoai_core.model.labels import LABELS_FILE, LabelMap
from emoai_core.tracking.registry import model_version_for_run
from emoai_core.tracking.runs import default_client, resolve_run

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Run

REPORTED_METRICS = ("val_", "test_", "best_")


def bundle_meta(run: Run, version: str | None, alias: str | None = None) -> dict[str, Any]:
    """What a model bundle says about where it came from."""
    return {
        "run_id": run.info.run_id,
        "run_name": run.info.run_name,
        "version": version,
        "alias": alias,
        "metrics": {k: v for k, v in run.data.metrics.items() if k.startswith(REPORTED_METRICS)},
        "max_length": max_length_of(run),
        "data": run.data.tags.get("emoai.data"),
    }


def max_length_of(run: Run) -> int:
    return int(run.data.params.get("max_length") or DEFAULT_MAX_LENGTH)


def download_model(client: MlflowClient, run_id: str) -> Path:
    """Assemble the registered model of `run_id` as a plain HF folder in the local cache."""
    target = paths().model_cache(run_id)
    if (target / "config.json").is_file():
        return target
    version = model_version_for_run(client, run_id)
    import mlflow

    from emoai_core.base.quiet import quiet_libraries

    quiet_libraries()

    from emoai_core.base.atomic import atomic_dir
    from emoai_core.model.classifier import labels_of_model_dir

    with atomic_dir(target) as tmp:
        raw = Path(mlflow.artifacts.download_artifacts(version.source, dst_path=str(tmp / "raw")))
        for sub in ("model", "components/tokenizer"):
            for f in (raw / sub).glob("*") if (raw / sub).is_dir() else []:
                shutil.copy2(f, tmp / f.name)
        shutil.rmtree(tmp / "raw")
        (_logged_labels(run_id, tmp) or labels_of_model_dir(tmp)).save(tmp)
        _logged_file(run_id, NORMALIZE_FILE, tmp)
    return target


def _logged_file(run_id: str, name: str, folder: Path) -> bool:
    """Copy the run's artifact `name` into `folder` if the run logged one."""
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        path = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=name, dst_path=str(folder / ".artifact"))
    except (MlflowException, OSError):
        return False
    shutil.move(path, folder / name)
    shutil.rmtree(folder / ".artifact", ignore_errors=True)
    return True


def _logged_labels(run_id: str, tmp: Path) -> LabelMap | None:
    """The run's `labels.json` artifact: the label set with its task and fitted thresholds."""
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        path = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=LABELS_FILE, dst_path=str(tmp / "labels"))
    except (MlflowException, OSError):
        return None
    labels = LabelMap.from_json(json.loads(Path(path).read_text()))
    shutil.rmtree(tmp / "labels", ignore_errors=True)
    return labels


def resolve_model_dir(ref: str, client: MlflowClient | None = None) -> Path:
    """A local Hugging Face model folder (+ labels.json) for a run reference, downloaded once."""
    client = default_client(client)
    return download_model(client, resolve_run(ref, client).info.run_id)


def local_copy(alias: str) -> Path | None:
    """The promoted model's local copy for `alias`, if one was written."""
    folder = paths().local_copy(alias)
    return folder if (folder / META_FILE).is_file() else None


def write_local_copy(hf_dir: Path, alias: str, run: Run, version: str, target: Path | None = None) -> Path:
    """The promoted model's fast-loading copy (ONNX + tokenizer + labels): EMOAI_HOME/models/<alias>/ or `target`."""
    from emoai_core.model.export import build_local_copy

    return build_local_copy(hf_dir, target or paths().local_copy(alias), bundle_meta(run, version, alias))


def remove_local_copies(run_id: str) -> list[str]:
    """Delete every local copy made from `run_id`; returns their aliases."""
    removed = []
    models = paths().models
    for meta in models.glob(f"*/{META_FILE}") if models.is_dir() else []:
        try:
            owner = json.loads(meta.read_text()).get("run_id")
        except (OSError, ValueError):
            continue
        if owner == run_id:
            shutil.rmtree(meta.parent, ignore_errors=True)
            removed.append(meta.parent.name)
    return removed
