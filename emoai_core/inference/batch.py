"""Batch inference through Ray Data: the same predictors, run by actors a cluster can spread out.

`emoai eval` on large splits and `emoai predict --file` use it; a few texts never start Ray.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from emoai_core.inference.predict import load_predictor


class BatchPredictor:
    """Ray Data `map_batches` callable: loads the model once per actor, predicts a batch of texts."""

    def __init__(self, model_dir: str, text_col: str = "text", threads: int | None = None) -> None:
        self.predictor = load_predictor(Path(model_dir), threads)
        self.text_col = text_col

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        texts = [str(t) for t in batch[self.text_col]]
        probs = self.predictor.predict_proba(texts)
        labels = self.predictor.labels
        best = probs.argmax(axis=1)
        out = dict(batch)
        out["pred_label"] = np.asarray([labels[i] for i in best], dtype=object)
        out["pred_score"] = probs.max(axis=1).astype(np.float64)
        out["pred_probs"] = probs.astype(np.float64)
        return out


def predict_with_ray(
    texts: list[str], model_dir: Path, concurrency: int = 1, batch_size: int = 256, on_progress: Callable[[int, int], None] | None = None
) -> np.ndarray:
    """Probabilities for `texts`, computed by Ray Data actors (so a cluster can share the work)."""
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ds = ray.data.from_items([{"text": t} for t in texts])
    mapped = ds.map_batches(
        BatchPredictor,
        fn_constructor_args=(str(model_dir),),
        batch_size=batch_size,
        concurrency=concurrency,
        batch_format="numpy",
    )
    rows = []
    for batch in mapped.iter_batches(batch_size=batch_size, batch_format="numpy"):
        rows.extend(np.asarray(p, dtype=np.float64) for p in batch["pred_probs"])
        if on_progress is not None:
            on_progress(len(rows), len(texts))
    return np.vstack(rows) if rows else np.zeros((0, 0))
