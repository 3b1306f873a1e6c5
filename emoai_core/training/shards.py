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

    One worker reads it whole. `split_at_indices` keeps row order, which `split(equal=True)` does not.
    """
    if world_size == 1:
        return [dataset]
    size = dataset.count() // world_size
    return dataset.split_at_indices([size * rank for rank in range(1, world_size + 1)])[:world_size]
