"""Kept shards: cut once in the driver, one per worker rank, no streaming-split coordinator actors."""

from __future__ import annotations

import pytest


class FakeDataset:
    def __init__(self, rows: list[int]) -> None:
        self.rows = rows
        self.cuts: list[list[int]] = []

    def count(self) -> int:
        return len(self.rows)

    def split_at_indices(self, indices: list[int]) -> list[FakeDataset]:
        self.cuts.append(indices)
        bounds = [0, *indices, len(self.rows)]
        return [FakeDataset(self.rows[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]

    def iterator(self) -> tuple[str, list[int]]:
        return ("iterator", self.rows)


def test_one_worker_reads_the_whole_dataset_without_a_split():
    from emoai_core.training.shards import shards

    ds = FakeDataset(list(range(7)))
    assert shards(ds, 1) == [ds]
    assert ds.cuts == []


def test_each_rank_gets_its_own_equal_ordered_shard_of_every_dataset():
    from emoai_core.training.shards import kept_shards_config

    train, validation = FakeDataset(list(range(11))), FakeDataset(list(range(100, 104)))
    config = kept_shards_config({"train": train, "validation": validation}, 2)
    assert train.cuts == [[5, 10]] and validation.cuts == [[2, 4]]
    out = config.configure({"train": train, "validation": validation}, 2, None, None)
    assert out == [
        {"train": ("iterator", [0, 1, 2, 3, 4]), "validation": ("iterator", [100, 101])},
        {"train": ("iterator", [5, 6, 7, 8, 9]), "validation": ("iterator", [102, 103])},
    ]


def test_a_worker_count_other_than_the_one_cut_for_is_refused():
    from emoai_core.training.shards import kept_shards_config

    config = kept_shards_config({"train": FakeDataset(list(range(8)))}, 2)
    with pytest.raises(ValueError, match="train: 2 shards were cut for 4 workers"):
        config.configure({"train": None}, 4, None, None)


def test_only_kept_shards_replace_ray_trains_streaming_split():
    from emoai_core.training.datasets import dataset_config
    from emoai_core.training.shards import KeptShardsConfig

    assert dataset_config({"train": FakeDataset([1, 2])}, 1, keep=False) is None
    assert isinstance(dataset_config({"train": FakeDataset([1, 2])}, 1, keep=True), KeptShardsConfig)


@pytest.mark.slow
def test_real_materialised_dataset_is_cut_into_disjoint_equal_shards(ray_session):
    import ray.data

    from emoai_core.training.shards import kept_shards_config

    ds = ray.data.range(11).materialize()
    config = kept_shards_config({"train": ds}, 2)
    per_rank = config.configure({"train": ds}, 2, None, None)
    rows = [[r["id"] for r in part["train"].iter_rows()] for part in per_rank]
    assert [len(r) for r in rows] == [5, 5]  # equal parts; the 11th row is dropped, as streaming_split does
    assert rows == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]  # contiguous and in order
