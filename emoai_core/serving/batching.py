"""Request batching for the model server, as plain functions (tested without Ray).

`@serve.batch` hands the replica a list of requests, each holding one or more texts; the model
runs once over all of them and every request gets back exactly its own rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def flatten(requests: Sequence[Sequence[str]]) -> tuple[list[str], list[int]]:
    """All texts in order, plus the offset where each request's texts start (and a final end offset)."""
    texts: list[str] = []
    offsets = [0]
    for request in requests:
        texts.extend(request)
        offsets.append(len(texts))
    return texts, offsets


def unflatten(results: np.ndarray, offsets: list[int]) -> list[np.ndarray]:
    """Split model output rows back into one array per request."""
    if len(results) != offsets[-1]:
        raise ValueError(f"{len(results)} results for {offsets[-1]} texts")
    return [results[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]


def run_batched(requests: Sequence[Sequence[str]], predict_proba) -> list[np.ndarray]:
    """One model call for a whole batch of requests."""
    texts, offsets = flatten(requests)
    if not texts:
        return [np.zeros((0, 0)) for _ in requests]
    return unflatten(predict_proba(texts), offsets)
