"""The tokenised train and validation datasets, and how they reach the workers.

Texts are tokenised once with Ray Data (`map_batches`) and materialised, not every epoch; shards
small enough to keep in memory are cut once in the driver (`shards.kept_shards_config`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emoai_core.training.plan import Plan

if TYPE_CHECKING:
    from ray.data import Dataset
    from ray.train import DataConfig

KEEP_SHARD_BYTES = 512 * 2**20  # tokenised rows a worker may keep in memory between epochs
SPLITS = ("train", "validation")

_TOKENIZERS: dict[str, Any] = {}  # per Ray worker process: a tokenizer loads once, not per batch


def _targets(values: Any, label2id: dict[str, int], multi_label: bool) -> Any:
    """Class ids, or for multi-label data one multi-hot row of floats per text."""
    import numpy as np

    if not multi_label:
        return np.asarray([label2id[name] for name in values], dtype=np.int64)
    hot = np.zeros((len(values), len(label2id)), dtype=np.float32)
    for row, names in enumerate(values):
        hot[row, [label2id[name] for name in names]] = 1.0
    return hot


def tokenize_fn(source: str, max_length: int, label2id: dict[str, int], multi_label: bool = False) -> Callable:
    column = "labels" if multi_label else "label"

    def tokenize(batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from emoai_core.model.classifier import load_tokenizer

        tokenizer = _TOKENIZERS.get(source) or _TOKENIZERS.setdefault(source, load_tokenizer(source))
        encoded = tokenizer(list(batch["text"]), truncation=True, max_length=max_length)["input_ids"]
        ids = np.empty(len(encoded), dtype=object)
        ids[:] = [np.asarray(e, dtype=np.int32) for e in encoded]
        return {
            "input_ids": ids,
            "length": np.asarray([len(e) for e in encoded], dtype=np.int32),
            "label": _targets(batch[column], label2id, multi_label),
        }

    return tokenize


def tokenized(plan: Plan) -> dict[str, Dataset]:
    """Tokenised, materialised Ray datasets of the train (shuffled, limited) and validation splits."""
    import ray.data

    cfg = plan.config
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    tokenize = tokenize_fn(plan.model_source, cfg.max_length, plan.labels.label2id, plan.labels.multi_label)
    out = {}
    for split in SPLITS:
        ds = ray.data.read_parquet(str(plan.data.split_path(split)))
        if split == "train":
            if cfg.limit:
                ds = ds.limit(cfg.limit)
            ds = ds.random_shuffle(seed=cfg.seed)
        out[split] = ds.map_batches(tokenize, batch_format="numpy", batch_size=1024).materialize()
    return out


def keeps_shards(datasets: dict[str, Dataset], num_workers: int) -> bool:
    """Whether each worker may read its shards once and keep them in memory (see worker.ShardChunks)."""
    per_worker = sum(ds.size_bytes() for ds in datasets.values()) / max(1, num_workers)
    return per_worker <= KEEP_SHARD_BYTES


def dataset_config(datasets: dict[str, Dataset], num_workers: int, keep: bool) -> DataConfig | None:
    """Kept shards are cut once (no coordinator actors); larger data streams as Ray Train splits it."""
    if not keep:
        return None
    from emoai_core.training.shards import kept_shards_config

    return kept_shards_config(datasets, num_workers)
