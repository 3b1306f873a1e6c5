"""Length-grouped batches: texts of similar length share a batch so padding stays small.

On CPU the cost of a batch is proportional to its padded length, so grouping roughly halves an
epoch. Grouping works on bounded chunks of a stream (no full sort), so it scales to shards of
any size, and it is deterministic for a given seed, epoch and rank.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

CHUNK_BATCHES = 50  # batches per sorted chunk: big enough to group, small enough to stay random


def group_by_length(
    lengths: np.ndarray, batch_size: int, rng: np.random.Generator | None
) -> list[np.ndarray]:
    """Index batches over one chunk: shuffle, sort by length, cut, shuffle batch order.

    With `rng` None (evaluation) the order is just sorted by length.
    """
    order = np.arange(len(lengths)) if rng is None else rng.permutation(len(lengths))
    order = order[np.argsort(lengths[order], kind="stable")]
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def pad_batch(input_ids: Iterable[np.ndarray], pad_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad to the longest sequence in the batch; returns (ids, attention_mask)."""
    seqs = list(input_ids)
    width = max(len(s) for s in seqs)
    ids = np.full((len(seqs), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(seqs), width), dtype=np.int64)
    for row, seq in enumerate(seqs):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return ids, mask


def grouped_batches(
    chunks: Iterable[dict[str, Any]],
    batch_size: int,
    seed: int | None,
    pad_id: int = 0,
) -> Iterator[dict[str, np.ndarray]]:
    """Padded batches from a stream of column chunks (`input_ids`, `length`, `label`).

    `seed` None gives evaluation order (no shuffling).
    """
    rng = None if seed is None else np.random.default_rng(seed)
    for chunk in chunks:
        lengths = np.asarray(chunk["length"])
        for idx in group_by_length(lengths, batch_size, rng):
            ids, mask = pad_batch((chunk["input_ids"][i] for i in idx), pad_id)
            batch = {"input_ids": ids, "attention_mask": mask, "labels": np.asarray(chunk["label"])[idx]}
            if "source" in chunk:  # rows of several data versions: which one each row came from
                batch["source"] = np.asarray(chunk["source"])[idx]
            yield batch


def batches_per_epoch(rows: int, batch_size: int) -> int:
    """Exact count when chunks hold a multiple of `batch_size` rows (see `chunk_rows`)."""
    return -(-rows // batch_size)


def chunk_rows(batch_size: int) -> int:
    return batch_size * CHUNK_BATCHES
