"""Evaluation of a model on a data split: metrics, per-class table, confusion matrix, slices.

Every average is named (macro, weighted, micro). Large splits run through Ray Data so a
cluster shares the work; small ones run in-process, where starting Ray would cost more than
the inference itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from emoai_core.base.errors import UsageError
from emoai_core.inference.report import EvalReport, compute_report

if TYPE_CHECKING:
    from emoai_core.data.versions import DataVersion
    from emoai_core.model.labels import LabelMap

RAY_THRESHOLD = 10_000  # rows; below this, in-process inference is faster than starting Ray


def _probabilities(
    model_dir: Path, texts: list[str], use_ray: bool | None, on_progress: Callable | None
) -> tuple[np.ndarray, LabelMap, str]:
    from emoai_core.inference.batch import predict_with_ray
    from emoai_core.inference.predict import load_predictor, read_label_map

    if use_ray is None:
        use_ray = len(texts) >= RAY_THRESHOLD
    if use_ray:
        from emoai_core.cluster.ray_env import connect

        connect()
        return (
            predict_with_ray(texts, model_dir, on_progress=on_progress),
            read_label_map(model_dir),
            "ray-data",
        )
    predictor = load_predictor(model_dir)
    chunks: list[np.ndarray] = []
    for i in range(0, len(texts), 256):
        chunks.append(predictor.predict_proba(texts[i : i + 256]))
        if on_progress:
            on_progress(min(i + 256, len(texts)), len(texts))
    return np.concatenate(chunks), predictor.label_map, "in-process"


def scored_labels(dv: DataVersion, labels: LabelMap, rows: list | None = None) -> list[str]:
    """The model's labels that `dv` has (its label names, and any label in `rows`), which the metrics
    are over; refuses data the model cannot score (another task, or labels the model lacks) before
    anything is predicted."""
    if dv.task != labels.task:
        data_task, model_task = dv.task.replace("_", "-"), labels.task.replace("_", "-")
        hint = (
            f"map it to single-label rows first: emoai data map {dv.ref} MAP.yaml --name NEW "
            "(multi_label: keep_if_agree)"
            if labels.task != "multi_label"
            else "evaluate on data of the task the model was trained for"
        )
        raise UsageError(f"{dv.ref} is {data_task} data but the model is {model_task}", hint)
    data_labels = list(dv.manifest["label_names"])
    for row in rows or []:
        for name in row if isinstance(row, list) else [row]:
            if name not in data_labels:
                data_labels.append(name)
    unknown = [n for n in data_labels if n not in labels]
    if unknown:
        raise UsageError(
            f"{dv.ref} has labels the model does not know: {', '.join(unknown)}",
            f"map them onto the model's labels ({', '.join(labels.names)}) or drop them: "
            f"emoai data map {dv.ref} MAP.yaml --name NEW",
        )
    return [n for n in labels.names if n in data_labels]


def metric_prefix(dv: DataVersion, split: str, run_data: str | None) -> str:
    """`test` (the split) for the run's own data (its `emoai.data` tag names the same dataset; several
    sources may be listed, separated by commas), else `eval_<dataset>` (+ `_<split>` for a split
    other than test), the dataset name made metric-safe like label names."""
    from emoai_core.model.labels import metric_key

    own = {ref.strip().partition("@")[0] for ref in (run_data or "").replace("+", ",").split(",")}
    if dv.name in own:
        return split
    prefix = f"eval_{metric_key(dv.name)}"
    return prefix if split == "test" else f"{prefix}_{metric_key(split)}"


def evaluate(
    model_dir: Path,
    dv: DataVersion,
    split: str = "test",
    *,
    model_name: str | None = None,
    run_id: str | None = None,
    use_ray: bool | None = None,
    on_progress: Callable | None = None,
    threshold: float | None = None,
) -> EvalReport:
    """Predict every row of `split` and score the predictions over the labels the data has."""
    from emoai_core.inference.predict import read_label_map

    started = time.time()
    texts, y_true = dv.read_split(split)
    keep = [i for i, lab in enumerate(y_true) if lab is not None]
    texts, y_true = [texts[i] for i in keep], [y_true[i] for i in keep]
    scored = scored_labels(dv, read_label_map(Path(model_dir)), y_true)
    probs, labels, backend = _probabilities(Path(model_dir), texts, use_ray, on_progress)
    meta = {
        "model": model_name or str(model_dir),
        "data": dv.ref,
        "split": split,
        "run_id": run_id,
        "backend": backend,
        "scored": scored,
    }
    if labels.multi_label:
        from emoai_core.inference.multilabel_report import compute_multilabel_report
        from emoai_core.inference.predict import thresholds_for

        cuts = thresholds_for(labels, threshold)
        return compute_multilabel_report(
            texts, y_true, probs, labels, cuts, seconds=time.time() - started, **meta
        )
    y_pred = [labels.names[i] for i in probs.argmax(axis=1)]
    return compute_report(texts, y_true, y_pred, list(labels.names), seconds=time.time() - started, **meta)


def confusion_png(report: EvalReport, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.asarray(report.confusion)
    fig, ax = plt.subplots(figsize=(1.1 * len(report.labels) + 2, 1.1 * len(report.labels) + 1.5))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(report.labels)), report.labels, rotation=45, ha="right")
    ax.set_yticks(range(len(report.labels)), report.labels)
    multi = report.task == "multi_label"
    ax.set_xlabel("also predicted (not true)" if multi else "predicted")
    ax.set_ylabel("true")
    name = "subset accuracy" if multi else "accuracy"
    ax.set_title(f"{report.data} [{report.split}] {name} {report.accuracy:.4f}")
    threshold = cm.max() / 2 if cm.size else 0
    for (i, j), value in np.ndenumerate(cm):
        ax.text(j, i, str(value), ha="center", va="center", color="white" if value > threshold else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_outputs(report: EvalReport, directory: Path, prefix: str | None = None) -> dict[str, Path]:
    """`eval_<split>.json`, `confusion_matrix_<split>.json` and `.png` in `directory`; another
    dataset's files are named by `prefix` (`eval_<dataset>[_<split>]`) so they keep the run's own."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = report.split if prefix is None or prefix == report.split else prefix.removeprefix("eval_")
    files = {
        "report": directory / f"eval_{stem}.json",
        "confusion_json": directory / f"confusion_matrix_{stem}.json",
        "confusion_png": directory / f"confusion_matrix_{stem}.png",
    }
    files["report"].write_text(json.dumps(report.to_json(), indent=2) + "\n")
    files["confusion_json"].write_text(
        json.dumps({"labels": report.labels, "matrix": report.confusion}, indent=2)
    )
    confusion_png(report, files["confusion_png"])
    return files


def log_evaluation(run_id: str, report: EvalReport, prefix: str | None = None) -> None:
    """`<prefix>_*` metrics (default: the split's, `test_*`) and the report + confusion matrix (JSON
    and PNG) as artifacts of the run."""
    import tempfile

    from mlflow.entities import Metric

    from emoai_core.tracking.store import client

    mlflow_client = client()
    now = int(time.time() * 1000)
    prefix = prefix or report.split
    metrics = [Metric(k, float(v), now, 0) for k, v in report.mlflow_metrics(prefix).items()]
    mlflow_client.log_batch(run_id, metrics=metrics)
    with tempfile.TemporaryDirectory(prefix="emoai-eval-") as tmp:
        for path in write_outputs(report, Path(tmp), prefix).values():
            mlflow_client.log_artifact(run_id, str(path), artifact_path="evaluation")
