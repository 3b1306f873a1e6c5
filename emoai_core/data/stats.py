"""What `emoai data show` reports about a version: rows, label counts, text lengths, duplicates, overlaps.

`checks` reuses the duplicate and overlap counts, so a warning and the numbers shown beside it
always agree.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from emoai_core.data.versions import SPLITS, DataVersion


def _percentiles(values: list[int]) -> dict[str, float]:
    import numpy as np

    if not values:
        return {}
    arr = np.asarray(values)
    return {f"p{p}": float(np.percentile(arr, p)) for p in (5, 25, 50, 75, 95)} | {"max": int(arr.max())}


def duplicates(texts: list[str]) -> dict[str, int]:
    counts = Counter(texts)
    return {
        "extra_copies": sum(c - 1 for c in counts.values()),
        "distinct_texts": sum(1 for c in counts.values() if c > 1),
    }


def shared_texts(split_texts: dict[str, list[str]]) -> dict[str, int]:
    """Distinct texts that appear in two splits, per pair (e.g. 'train&test')."""
    sets = {s: set(t) for s, t in split_texts.items()}
    names = [s for s in SPLITS if s in sets]
    return {f"{a}&{b}": len(sets[a] & sets[b]) for i, a in enumerate(names) for b in names[i + 1 :]}


def describe(dv: DataVersion) -> dict[str, Any]:
    """What `emoai data show` prints: rows, label counts, text lengths, duplicates, overlaps."""
    texts = {}
    splits = {}
    for split in dv.manifest["splits"]:
        split_texts, _ = dv.read_split(split)
        texts[split] = split_texts
        splits[split] = {
            "rows": dv.manifest["splits"][split]["rows"],
            "label_counts": dv.manifest["splits"][split]["label_counts"],
            "words": _percentiles([len(t.split()) for t in split_texts]),
            "duplicates": duplicates(split_texts),
        }
    return {
        "name": dv.name,
        "version": dv.version,
        "ref": dv.ref,
        "source": dv.manifest.get("source"),
        "created": dv.manifest.get("created"),
        "label_names": dv.manifest["label_names"],
        "split_strategy": dv.manifest.get("split_strategy"),
        "path": str(dv.path),
        "splits": splits,
        "shared_texts": shared_texts(texts),
    }
