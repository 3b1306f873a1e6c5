"""How the tokenised datasets reach the Ray Train workers when every worker keeps its shard.

Ray Train's default `DataConfig` gives each worker a streaming split, served by one
`SplitCoordinator` actor per dataset for the whole run. When the shards are small enough to be read
once and kept in memory (see `train_loop.ShardChunks`), those actors have nothing left to do after
the first read, yet each one still wakes ~100 times a second and takes CPU from the training
threads of a small machine. The datasets are already materialised, so the driver cuts the shards
once with `Dataset.split_at_indices` before the workers start (afterwards the workers hold every
CPU, and the cut's tasks could never run): equal, contiguous parts, remainder dropped as the
streaming split does, read through `get_dataset_shard`, with no actor left behind.

Imports Ray at module level: import it only where a trainer is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ray.train import DataConfig

if TYPE_CHECKING:
    from ray.data import Dataset


class KeptShardsConfig(DataConfig):
    """Hands each worker the shard the driver cut for its rank."""

    def __init__(self, parts: dict[str, list[Dataset]]) -> None:
        super().__init__()
        self.parts = parts

    def configure(
        self,
        datasets: dict[str, Any],
        world_size: int,
        worker_handles: Any = None,
        worker_node_ids: Any = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]]:
        output: list[dict[str, Any]] = [{} for _ in range(world_size)]
        for name in datasets:
            parts = self.parts[name]
            if len(parts) != world_size:
                raise ValueError(f"{name}: {len(parts)} shards were cut for {world_size} workers")
            for rank, part in enumerate(parts):
                output[rank][name] = part.iterator()
        return output


def kept_shards_config(datasets: dict[str, Dataset], world_size: int) -> KeptShardsConfig:
    """Cut every materialised dataset into `world_size` equal, ordered parts (in the driver)."""
    return KeptShardsConfig({name: shards(ds, world_size) for name, ds in datasets.items()})


def shards(dataset: Dataset, world_size: int) -> list[Dataset]:
    """`world_size` equal, contiguous parts of a materialised dataset, in order; the remainder is dropped.

    One worker reads it whole. The parts are cut here in the driver and put in its object store,
    not by Ray Data tasks on whichever node: a part kept on a worker node would be lost with that
    node, and a worker group restarted after a node failure could not read its shard again.
    """
    if world_size == 1:
        return [dataset]
    import pyarrow as pa
    import ray
    import ray.data

    table = pa.concat_tables(ray.get(dataset.to_arrow_refs()))
    return [ray.data.from_arrow(part) for part in cut(table, world_size)]


def cut(table: Any, world_size: int) -> list[Any]:
    """`world_size` equal, contiguous slices of a table (or anything with num_rows and slice), in order."""
    size = table.num_rows // world_size
    return [table.slice(size * rank, size) for rank in range(world_size)]
