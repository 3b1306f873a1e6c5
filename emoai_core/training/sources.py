"""Training on several data versions at once (`emoai train --data emotion --data goemotions6`).

The sources must share a task and a label set (else exit 2 naming the difference). `--mix`
weighs them: with weights, each source gives rows in that ratio, as many as the source that runs
out first allows (a large source is sampled down, never a small one repeated), so a big corpus
cannot drown a small one; without, every row of every source is used. Each row keeps its
source's index, so validation is also scored per source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emoai_core.base.errors import UsageError
from emoai_core.model.labels import LabelMap, unique_keys

if TYPE_CHECKING:
    import pyarrow as pa

    from emoai_core.data.versions import DataVersion

SOURCE_COLUMN = "source"


def refs(data: str | None) -> list[str]:
    """The data references of a config's `data` (sources joined by commas; names never hold one)."""
    return [r.strip() for r in (data or "").split(",") if r.strip()] or [""]


def parse_mix(spec: str | None, count: int) -> tuple[float, ...] | None:
    if not spec:
        return None
    try:
        weights = tuple(float(w) for w in spec.split(","))
    except ValueError:
        raise UsageError(f"--mix {spec}: expected numbers like 1,1 or 0.7,0.3") from None
    if len(weights) != count:
        raise UsageError(
            f"--mix has {len(weights)} weight(s) for {count} data source(s)", "give one weight per --data"
        )
    if any(w <= 0 for w in weights):
        raise UsageError(f"--mix {spec}: every weight must be positive")
    return weights


def common_labels(versions: list[DataVersion]) -> LabelMap:
    """The first source's label set, after checking every other source has the same task and names."""
    first = versions[0]
    for other in versions[1:]:
        if other.task != first.task:
            raise UsageError(
                f"{first.ref} is {first.task} data but {other.ref} is {other.task}",
                "train on sources of one task",
            )
        mine, theirs = set(first.label_map.names), set(other.label_map.names)
        if mine != theirs:
            only_first = ", ".join(sorted(mine - theirs)) or "-"
            only_other = ", ".join(sorted(theirs - mine)) or "-"
            raise UsageError(
                f"{first.ref} and {other.ref} have different label sets (only in {first.name}: {only_first}; "
                f"only in {other.name}: {only_other})",
                "map one onto the other first: emoai data map NAME@V MAP.yaml --name NEW",
            )
    return first.label_map


def source_keys(versions: list[DataVersion]) -> tuple[str, ...]:
    """Metric-safe, unique names of the sources (`val_<key>_macro_f1`)."""
    return tuple(unique_keys(v.name for v in versions))


def sample_sizes(sizes: list[int], weights: tuple[float, ...] | None) -> list[int]:
    """Rows to take from each source: all of them, or the largest counts in the weights' ratio."""
    if weights is None:
        return list(sizes)
    scale = min(size / w for size, w in zip(sizes, weights, strict=True))
    return [min(size, int(round(w * scale))) for size, w in zip(sizes, weights, strict=True)]


def mixed_table(
    versions: list[DataVersion], split: str, weights: tuple[float, ...] | None, seed: int
) -> pa.Table:
    """One split of every source, sampled by `weights` (validation and test: whole), with a source column."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from emoai_core.data.versions import label_column

    column = label_column(versions[0].task)
    tables = [pq.read_table(v.split_path(split), columns=["text", column]) for v in versions]
    sizes = sample_sizes([t.num_rows for t in tables], weights if split == "train" else None)
    rng = np.random.default_rng(seed)
    parts = []
    for index, (table, n) in enumerate(zip(tables, sizes, strict=True)):
        if n < table.num_rows:
            table = table.take(np.sort(rng.permutation(table.num_rows)[:n]))
        parts.append(
            table.append_column(SOURCE_COLUMN, pa.array(np.full(table.num_rows, index, dtype=np.int32)))
        )
    return pa.concat_tables(parts)


def train_table(
    versions: list[DataVersion], weights: tuple[float, ...] | None, seed: int, limit: int | None
) -> pa.Table:
    """The mixed training rows, shuffled with the run's seed and cut to `limit` (the same rows every call)."""
    import numpy as np

    table = mixed_table(versions, "train", weights, seed)
    order = np.random.default_rng(seed).permutation(table.num_rows)
    return table.take(order[:limit] if limit else order)
