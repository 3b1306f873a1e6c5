"""Kept shards: cut once in the driver, one per worker rank, no streaming-split coordinator actors."""

from __future__ import annotations

import pytest


class FakeDataset:
    def __init__(self, rows: list[int]) -> None:
        self.rows = rows

    def count(self) -> int:
        return len(self.rows)

    def iterator(self) -> tuple[str, list[int]]:
        return ("iterator", self.rows)


class FakeTable:
    def __init__(self, rows: list[int]) -> None:
        self.rows = rows
        self.num_rows = len(rows)

    def slice(self, offset: int, length: int) -> list[int]:
        return self.rows[offset : offset + length]


def test_one_worker_reads_the_whole_dataset_without_a_cut():
    from emoai_core.training.shards import shards

    ds = FakeDataset(list(range(7)))
    assert shards(ds, 1) == [ds]


def test_each_rank_gets_an_equal_ordered_slice_and_the_remainder_is_dropped():
    from emoai_core.training.shards import cut

    assert cut(FakeTable(list(range(11))), 2) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert cut(FakeTable(list(range(100, 104))), 3) == [[100], [101], [102]]


def test_each_rank_gets_its_own_part_of_every_dataset():
    from emoai_core.training.shards import KeptShardsConfig

    parts = {"train": [FakeDataset([0, 1]), FakeDataset([2, 3])], "validation": [FakeDataset([9]), FakeDataset([8])]}
    out = KeptShardsConfig(parts).configure({"train": None, "validation": None}, 2, None, None)
    assert out == [
        {"train": ("iterator", [0, 1]), "validation": ("iterator", [9])},
        {"train": ("iterator", [2, 3]), "validation": ("iterator", [8])},
    ]


def test_a_worker_count_other_than_the_one_cut_for_is_refused():
    from emoai_core.training.shards import KeptShardsConfig

    config = KeptShardsConfig({"train": [FakeDataset([1]), FakeDataset([2])]})
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
