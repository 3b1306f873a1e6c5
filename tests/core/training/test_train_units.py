"""Pure pieces of training: config, batching, metrics, optimizer groups, capacity checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emoai_core.base.errors import UsageError
from emoai_core.cluster.ray_env import NodeCapacity, check_capacity, default_cpu_per_worker, workers_that_fit
from emoai_core.model.batching import (
    batches_per_epoch,
    chunk_rows,
    group_by_length,
    grouped_batches,
    pad_batch,
)
from emoai_core.model.metrics import confusion_counts, metrics_from_confusion
from emoai_core.training.config import TrainConfig, build_config, load_config_file


def test_config_file_and_overrides(tmp_path):
    path = tmp_path / "train.yaml"
    path.write_text("epochs: 3\nlr: 0.0002\nbatch-size: 16\n")
    cfg = build_config(load_config_file(path), {"epochs": 5, "lr": None})
    assert (cfg.epochs, cfg.lr, cfg.batch_size) == (5, 0.0002, 16)


def test_config_json_file(tmp_path):
    path = tmp_path / "train.json"
    path.write_text(json.dumps({"max_length": 96, "label_smoothing": 0.1}))
    cfg = build_config(load_config_file(path))
    assert cfg.max_length == 96 and cfg.label_smoothing == 0.1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("epochs: [1, 2", "cannot parse"),
        ("- 1\n- 2\n", "expected a mapping"),
    ],
)
def test_config_file_errors(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        load_config_file(path)


def test_config_unknown_field_suggests_close_match(tmp_path):
    with pytest.raises(UsageError, match=r"unknown field 'epoch' \(did you mean epochs\?\)"):
        build_config({"epoch": 3}, source=str(tmp_path / "c.yaml"))


def test_config_bad_value_names_option():
    with pytest.raises(UsageError, match="--lr: Input should be greater than 0"):
        build_config({}, {"lr": -1.0})


def test_missing_config_file(tmp_path):
    with pytest.raises(UsageError, match="config file not found"):
        load_config_file(tmp_path / "nope.yaml")


def test_group_by_length_groups_similar_lengths():
    rng = np.random.default_rng(0)
    lengths = rng.integers(5, 60, size=640)
    batches = group_by_length(lengths, 32, np.random.default_rng(1))
    assert sorted(np.concatenate(batches).tolist()) == list(range(640))
    spread = np.mean([lengths[b].max() - lengths[b].min() for b in batches])
    random_spread = np.mean(
        [lengths[i : i + 32].max() - lengths[i : i + 32].min() for i in range(0, 640, 32)]
    )
    assert spread < random_spread / 4


def test_grouped_batches_are_deterministic_and_padded():
    chunk = {
        "input_ids": [np.arange(n) + 1 for n in (3, 7, 2, 5, 4)],
        "length": np.array([3, 7, 2, 5, 4]),
        "label": np.array([0, 1, 2, 3, 4]),
    }
    first = list(grouped_batches([chunk], 2, seed=7))
    again = list(grouped_batches([chunk], 2, seed=7))
    assert [b["labels"].tolist() for b in first] == [b["labels"].tolist() for b in again]
    assert sum(len(b["labels"]) for b in first) == 5
    for batch in first:
        assert batch["input_ids"].shape == batch["attention_mask"].shape
        assert (
            batch["attention_mask"].sum(axis=1) == [len(chunk["input_ids"][lab]) for lab in batch["labels"]]
        ).all()


def test_pad_batch():
    ids, mask = pad_batch([np.array([5, 6]), np.array([7])])
    assert ids.tolist() == [[5, 6], [7, 0]]
    assert mask.tolist() == [[1, 1], [1, 0]]


def test_batches_per_epoch_matches_chunked_stream():
    rows, bs = 1000, 32
    lengths = np.ones(rows, dtype=int)
    chunks = [
        {
            "input_ids": [np.ones(1)] * len(lengths[i : i + chunk_rows(bs)]),
            "length": lengths[i : i + chunk_rows(bs)],
            "label": np.zeros(len(lengths[i : i + chunk_rows(bs)]), dtype=int),
        }
        for i in range(0, rows, chunk_rows(bs))
    ]
    assert len(list(grouped_batches(chunks, bs, seed=0))) == batches_per_epoch(rows, bs) == 32


def test_metrics_from_confusion_matches_hand_computation():
    labels = np.array([0, 0, 1, 1, 2, 2])
    preds = np.array([0, 1, 1, 1, 2, 0])
    cm = confusion_counts(labels, preds, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    m = metrics_from_confusion(cm)
    assert m["accuracy"] == pytest.approx(4 / 6)
    # F1 per class: c0 = 2*1/(2+2)=0.5, c1 = 2*2/(2+3)=0.8, c2 = 2*1/(2+1)=0.6667
    assert m["per_class_f1"] == pytest.approx([0.5, 0.8, 2 / 3])
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)


def test_capacity_check_rejects_gpus_on_cpu_cluster():
    nodes = [NodeCapacity(cpu=2, gpu=0)]
    with pytest.raises(UsageError, match="no GPUs") as info:
        check_capacity(nodes, num_workers=4, cpu=1, gpu=1)
    assert "--gpu-per-worker" in info.value.hint


def test_capacity_check_counts_per_node():
    nodes = [NodeCapacity(cpu=3, gpu=0), NodeCapacity(cpu=3, gpu=0)]
    assert workers_that_fit(nodes, cpu=2, gpu=0) == 2  # 4 CPUs free in total, but no node holds two workers
    check_capacity(nodes, num_workers=2, cpu=2, gpu=0)
    with pytest.raises(UsageError, match="at most 2"):
        check_capacity(nodes, num_workers=3, cpu=2, gpu=0)


def test_capacity_check_accepts_gpu_cluster():
    nodes = [NodeCapacity(cpu=8, gpu=2), NodeCapacity(cpu=8, gpu=2)]
    check_capacity(nodes, num_workers=4, cpu=2, gpu=1)
    with pytest.raises(UsageError):
        check_capacity(nodes, num_workers=5, cpu=1, gpu=1)


def test_default_cpu_per_worker_fills_the_cluster():
    assert default_cpu_per_worker([NodeCapacity(2, 0)], 1) == 2
    assert default_cpu_per_worker([NodeCapacity(2, 0)], 2) == 1
    assert default_cpu_per_worker([NodeCapacity(1, 0), NodeCapacity(1, 0)], 1) == 1


def test_scaling_config_requests_gpus_only_when_asked():
    from emoai_core.training.scaling import scaling_config

    gpu = scaling_config(4, 2.0, 1.0)
    assert gpu.num_workers == 4 and gpu.use_gpu is True
    assert gpu.resources_per_worker == {"CPU": 2.0, "GPU": 1.0}
    cpu = scaling_config(2, 1.0, 0.0)
    assert cpu.use_gpu is False and cpu.resources_per_worker == {"CPU": 1.0}


def test_optimizer_groups_apply_layer_decay_and_skip_norms(tiny_model_dir):
    from transformers import AutoModelForSequenceClassification

    from emoai_core.model.optim import parameter_groups

    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir)
    groups = parameter_groups(model, lr=1e-3, weight_decay=0.01, llrd=0.5)
    n_params = sum(len(g["params"]) for g in groups)
    assert n_params == len([p for p in model.parameters() if p.requires_grad])
    lrs = sorted({g["lr"] for g in groups})
    # 2 layers: embeddings 1e-3*0.5^3, layer0 0.5^2, layer1 0.5, head 1
    assert lrs == pytest.approx([1e-3 * 0.125, 1e-3 * 0.25, 1e-3 * 0.5, 1e-3])
    assert {g["weight_decay"] for g in groups} == {0.0, 0.01}


def test_class_weights_favour_rare_classes():
    from emoai_core.model.optim import class_weights

    assert class_weights([100, 25], "none") is None
    w = class_weights([100, 25], "sqrt_inverse")
    assert w[1] == pytest.approx(2 * w[0]) and sum(w) / 2 == pytest.approx(1.0)


def test_scheduler_warms_up_then_decays(tiny_model_dir):
    import torch

    from emoai_core.model.optim import build_scheduler

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = build_scheduler(opt, total_steps=100, warmup_ratio=0.1)
    lrs = []
    for _ in range(100):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert lrs[50] == pytest.approx(50 / 90) and lrs[-1] == pytest.approx(1 / 90)


def test_train_config_defaults_are_the_recipe():
    from emoai_core.training.defaults import DEFAULTS

    cfg = TrainConfig()
    for key, value in DEFAULTS.items():
        assert getattr(cfg, key) == value


def test_resume_logs_checkpointed_epochs_that_never_reached_mlflow(emoai_home):
    """Ctrl-C between Ray persisting epoch 2's checkpoint and the driver logging it."""
    import json
    from types import SimpleNamespace

    from emoai_core.base.settings import paths, ray_run_name
    from emoai_core.tracking.tracker import Tracker
    from emoai_core.training.checkpoints import backfill_epochs, checkpointed_metrics

    run_id = "r1"
    folder = paths().ray_storage / ray_run_name(run_id)
    folder.mkdir(parents=True)
    epoch = {n: {"epoch": n, "val_loss": 1.0 / n, "train_loss": 2.0 / n} for n in (1, 2)}
    snapshot = {
        "checkpoint_results": [{"metrics": epoch[1]}, {"metrics": epoch[2]}],
        "latest_checkpoint_result": {"metrics": epoch[2]},
    }
    (folder / "checkpoint_manager_snapshot.json").write_text(json.dumps(snapshot))
    assert [m["epoch"] for m in checkpointed_metrics(run_id)] == [1, 2]

    class Client:
        def __init__(self) -> None:
            self.batches: list = []

        def get_metric_history(self, rid, key):
            assert (rid, key) == (run_id, "val_loss")
            return [SimpleNamespace(step=1)]  # epoch 1 was logged, epoch 2 was not

        def log_batch(self, rid, metrics):
            self.batches.append(metrics)

    client = Client()
    assert backfill_epochs(client, Tracker(client, run_id), run_id) == [2]
    assert {(m.key, m.step) for m in client.batches[0]} == {("epoch", 2), ("val_loss", 2), ("train_loss", 2)}
    assert checkpointed_metrics("no-such-run") == []


class _CountingShard:
    """A stand-in for a Ray Data shard that counts how often it is streamed."""

    def __init__(self, rows: int) -> None:
        self.rows, self.passes = rows, 0

    def iter_batches(self, batch_size: int, batch_format: str, prefetch_batches: int):
        self.passes += 1
        for start in range(0, self.rows, batch_size):
            stop = min(start + batch_size, self.rows)
            yield {"length": np.arange(start, stop), "label": np.zeros(stop - start, dtype=np.int64)}


def _rows_seen(chunks) -> list[int]:
    return [int(x) for chunk in chunks for x in chunk["length"]]


def test_kept_shard_is_streamed_once_and_replays_the_same_rows():
    from emoai_core.training.worker import ShardChunks

    shard = _CountingShard(rows=chunk_rows(8) * 2 + 5)
    chunks = ShardChunks(shard, batch_size=8, keep=True)
    assert shard.passes == 1  # read before the first epoch
    passes = [_rows_seen(chunks) for _ in range(3)]
    assert shard.passes == 1
    assert passes[0] == passes[1] == passes[2] == list(range(shard.rows))


def test_unkept_shard_streams_every_pass():
    from emoai_core.training.worker import ShardChunks

    shard = _CountingShard(rows=100)
    chunks = ShardChunks(shard, batch_size=8, keep=False)
    assert shard.passes == 0
    assert _rows_seen(chunks) == _rows_seen(chunks) == list(range(100))
    assert shard.passes == 2


def test_shards_are_kept_only_when_small_enough(monkeypatch):
    from emoai_core.training import datasets as train

    class Sized:
        def __init__(self, size: int) -> None:
            self.size = size

        def size_bytes(self) -> int:
            return self.size

    monkeypatch.setattr(train, "KEEP_SHARD_BYTES", 1000)
    assert train.keeps_shards({"train": Sized(900), "validation": Sized(100)}, num_workers=1)
    assert not train.keeps_shards({"train": Sized(1500), "validation": Sized(100)}, num_workers=1)
    assert train.keeps_shards({"train": Sized(1500), "validation": Sized(100)}, num_workers=2)
