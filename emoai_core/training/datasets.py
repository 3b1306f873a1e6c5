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


def tokenize_fn(
    source: str, max_length: int, label2id: dict[str, int], multi_label: bool = False, normalize: tuple[str, ...] = ()
) -> Callable:
    column = "labels" if multi_label else "label"

    def tokenize(batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from emoai_core.model.classifier import load_tokenizer
        from emoai_core.model.normalize import Normalizer

        tokenizer = _TOKENIZERS.get(source) or _TOKENIZERS.setdefault(source, load_tokenizer(source))
        texts = Normalizer(normalize).apply(str(t) for t in batch["text"])
        encoded = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
        ids = np.empty(len(encoded), dtype=object)
        ids[:] = [np.asarray(e, dtype=np.int32) for e in encoded]
        return {
            "input_ids": ids,
            "length": np.asarray([len(e) for e in encoded], dtype=np.int32),
            "label": _targets(batch[column], label2id, multi_label),
            **({"source": np.asarray(batch["source"], dtype=np.int32)} if "source" in batch else {}),
        }

    return tokenize


def tokenized(plan: Plan) -> dict[str, Dataset]:
    """Tokenised, materialised Ray datasets of the train (shuffled, limited) and validation splits."""
    import ray.data

    cfg = plan.config
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    tokenize = tokenize_fn(
        plan.model_source, cfg.max_length, plan.labels.label2id, plan.labels.multi_label, plan.normalizer.steps
    )
    out = {}
    for split in SPLITS:
        ds = _split(plan, split)
        if split == "train":
            if cfg.limit and not plan.multi_source:  # several sources: already mixed, shuffled and cut
                ds = ds.limit(cfg.limit)
            ds = ds.random_shuffle(seed=cfg.seed)
        out[split] = ds.map_batches(tokenize, batch_format="numpy", batch_size=1024).materialize()
    return out


def _split(plan: Plan, split: str) -> Dataset:
    """One source: its parquet file as is. Several: the mixed rows, each with its source's index."""
    import ray.data

    if not plan.multi_source:
        return ray.data.read_parquet(str(plan.data.split_path(split)))
    from emoai_core.training import sources

    versions, cfg = list(plan.sources), plan.config
    if split == "train":
        return ray.data.from_arrow(sources.train_table(versions, plan.mix, cfg.seed, cfg.limit))
    return ray.data.from_arrow(sources.mixed_table(versions, split, None, cfg.seed))


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
