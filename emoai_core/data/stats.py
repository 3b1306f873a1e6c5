"""What `emoai data show` reports about a version: rows, label counts, text lengths, duplicates, overlaps.

For multi-label data also: labels per row (0, 1, 2, 3+), rows with no label and the label pairs
that occur together most. `checks` reuses the duplicate and overlap counts, so a warning and the
numbers shown beside it always agree.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from emoai_core.data.versions import SPLITS, DataVersion, Label
from emoai_core.model.labels import MULTI_LABEL

TOP_PAIRS = 10


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


def labels_per_row(labels: list[Label]) -> dict[str, int]:
    """How many rows carry 0, 1, 2 and 3 or more labels."""
    counts = Counter(min(len(lab) if isinstance(lab, list) else int(lab is not None), 3) for lab in labels)
    return {"0": counts[0], "1": counts[1], "2": counts[2], "3+": counts[3]}


def top_pairs(labels: list[Label], n: int = TOP_PAIRS) -> list[dict[str, Any]]:
    """The label pairs found together on most rows, most frequent first (ties in name order)."""
    from itertools import combinations

    pairs: Counter[tuple[str, str]] = Counter()
    for lab in labels:
        if isinstance(lab, list) and len(lab) > 1:
            pairs.update(combinations(sorted(set(lab)), 2))
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [{"labels": list(pair), "rows": rows} for pair, rows in ranked]


def describe(dv: DataVersion) -> dict[str, Any]:
    """What `emoai data show` prints: rows, label counts, text lengths, duplicates, overlaps
    (and for multi-label data: labels per row, rows with no label, top co-occurring pairs)."""
    texts = {}
    splits = {}
    multi = dv.task == MULTI_LABEL
    for split in dv.manifest["splits"]:
        split_texts, labels = dv.read_split(split)
        texts[split] = split_texts
        splits[split] = {
            "rows": dv.manifest["splits"][split]["rows"],
            "label_counts": dv.manifest["splits"][split]["label_counts"],
            "words": _percentiles([len(t.split()) for t in split_texts]),
            "duplicates": duplicates(split_texts),
        }
        if multi:
            per_row = labels_per_row(labels)
            splits[split] |= {
                "labels_per_row": per_row,
                "no_label": per_row["0"],
                "top_pairs": top_pairs(labels),
            }
    return {
        "name": dv.name,
        "version": dv.version,
        "ref": dv.ref,
        "task": dv.task,
        "source": dv.manifest.get("source"),
        "created": dv.manifest.get("created"),
        "label_names": dv.manifest["label_names"],
        "split_strategy": dv.manifest.get("split_strategy"),
        "path": str(dv.path),
        "splits": splits,
        "shared_texts": shared_texts(texts),
    } | _mapped_from(dv.manifest)


def _mapped_from(manifest: dict[str, Any]) -> dict[str, Any]:
    """A mapped version's parent, map file and hash, and its rows kept/dropped (`emoai data map`)."""
    recorded = manifest.get("label_map")
    if not recorded:
        return {}
    rows = {s: {"rows": v["rows"], "kept": v["kept"], "dropped": v["dropped"]} for s, v in recorded["rows"].items()}
    return {
        "parent": manifest.get("parent", {}).get("ref"),
        "label_map": {"file": recorded["file"], "sha256": recorded["sha256"], "rows": rows},
    }
