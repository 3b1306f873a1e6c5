"""The tokenised train and validation datasets, and how they reach the workers.

Texts are tokenised once, not every epoch. Up to DRIVER_ROWS rows the driver tokenises them
itself (the fast tokenizer does 16,000 texts in about a second) and puts the result in its object
store: no Ray Data tasks to schedule, no files the workers' nodes would need to read. Larger data
goes through Ray Data (`map_batches`), read from the shared storage when the version is there,
so every node can reach it. Shards small enough to keep in memory are cut once in the driver
(`shards.kept_shards_config`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emoai_core.training.plan import Plan

if TYPE_CHECKING:
    from ray.data import Dataset
    from ray.train import DataConfig

KEEP_SHARD_BYTES = 512 * 2**20  # tokenised rows a worker may keep in memory between epochs
DRIVER_ROWS = 200_000  # up to this many rows per split the driver tokenises in-process
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
        from emoai_core.training.plan import local_model_source

        tokenizer = _TOKENIZERS.get(source) or _TOKENIZERS.setdefault(
            source, load_tokenizer(local_model_source(source))
        )
        texts = Normalizer(normalize).apply(str(t) for t in batch["text"])
        encoded = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
        ids = np.empty(len(encoded), dtype=object)  # ragged: Ray stores it as a variable-shape tensor
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
    rows = plan.data.rows
    if plan.multi_source or max(rows.get(s, 0) for s in SPLITS) <= DRIVER_ROWS:
        return tokenized_in_driver(plan)
    return tokenized_with_ray_data(plan)


def _tokenizer(plan: Plan, source: str) -> Callable:
    cfg, labels = plan.config, plan.labels
    return tokenize_fn(source, cfg.max_length, labels.label2id, labels.multi_label, plan.normalizer.steps)


def tokenized_in_driver(plan: Plan) -> dict[str, Dataset]:
    """Read, shuffle, limit and tokenise in this process; one block per split in the driver's object store."""
    import ray.data
    from ray.data.block import BlockAccessor

    tokenize = _tokenizer(plan, plan.model_source)
    out = {}
    for split in SPLITS:
        table = _driver_table(plan, split)
        batch = {name: table.column(name).to_pylist() for name in table.column_names}
        out[split] = ray.data.from_arrow(BlockAccessor.batch_to_block(tokenize(batch)))
    return out


def _driver_table(plan: Plan, split: str) -> Any:
    """One source: its split (train: cut to --limit, then shuffled). Several: the mixed rows with a source column."""
    import numpy as np
    import pyarrow.parquet as pq

    from emoai_core.data.versions import label_column

    cfg = plan.config
    if plan.multi_source:
        from emoai_core.training import sources

        versions = list(plan.sources)
        if split == "train":
            return sources.train_table(versions, plan.mix, cfg.seed, cfg.limit)
        return sources.mixed_table(versions, split, None, cfg.seed)
    table = pq.read_table(plan.data.split_path(split), columns=["text", label_column(plan.data.task)])
    if split == "train":
        if cfg.limit:
            table = table.slice(0, cfg.limit)
        table = table.take(np.random.default_rng(cfg.seed).permutation(table.num_rows))
    return table


def _source(plan: Plan, split: str) -> tuple[str, Any]:
    """Where every node can read a split: the shared storage when the version is there, else this disk."""
    from emoai_core.storage.location import DATA, configured

    storage = configured()
    file = plan.data.manifest["splits"][split]["file"]
    if storage is not None:
        from emoai_core.data.remote import is_pushed

        if is_pushed(storage, plan.data.name, plan.data.version):
            return storage.path(DATA, plan.data.name, plan.data.version, file), storage.filesystem()
    return str(plan.data.split_path(split)), None


def tokenized_with_ray_data(plan: Plan) -> dict[str, Dataset]:
    """Large data: read and tokenise with Ray Data tasks across the cluster, then materialise."""
    import ray.data

    cfg = plan.config
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    tokenize = _tokenizer(plan, plan.model_uri or plan.model_source)
    out = {}
    for split in SPLITS:
        path, filesystem = _source(plan, split)
        ds = ray.data.read_parquet(path, filesystem=filesystem)
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
