"""A Ray Train worker's state: the model, its optimiser, its data shards and its progress channel.

`setup` builds it from the driver's `LoopConfig` and, when Ray Train hands the worker a
checkpoint (a retry after a failure, or `emoai train --resume`), restores it from there: the
same code serves a fresh run and a resumed one.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from emoai_core.base.timeline import mark
from emoai_core.model.batching import chunk_rows
from emoai_core.model.labels import LabelMap
from emoai_core.model.normalize import Normalizer
from emoai_core.training.config import TrainConfig
from emoai_core.training.events import Restored, StepProgress
from emoai_core.training.protocol import LoopConfig

if TYPE_CHECKING:
    import torch
    from ray.data import DataIterator
    from ray.train import Checkpoint
    from ray.util.queue import Queue
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

STATE_FILE = "trainer_state.json"
STEP_EVENTS_PER_EPOCH = 25


@dataclass
class LoopState:
    """What a checkpoint restores besides weights: where training stands and the history so far."""

    epoch: int = 0
    global_step: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    model_dir: str | None = None


class ShardChunks:
    """A worker's dataset shard as column chunks: streamed every pass, or read once and kept.

    Every pass over a Ray Data shard starts a new streaming split (1-3 s on 2 CPUs, before the first
    batch arrives) and keeps Ray Data's coordinator busy beside the training threads, only to yield
    the same rows in the same order (the datasets are materialised with `preserve_order`). So a
    shard small enough to keep is read once, before the first epoch, and replayed from memory.
    """

    def __init__(self, shard: DataIterator, batch_size: int, keep: bool) -> None:
        self.shard, self.rows = shard, chunk_rows(batch_size)
        self.kept: list[dict[str, np.ndarray]] | None = list(self._stream()) if keep else None

    def _stream(self) -> Iterator[dict[str, np.ndarray]]:
        return self.shard.iter_batches(batch_size=self.rows, batch_format="numpy", prefetch_batches=1)

    def __iter__(self) -> Iterator[dict[str, np.ndarray]]:
        return iter(self.kept) if self.kept is not None else self._stream()


class Progress:
    """Rank-0 step events to the driver's queue, about STEP_EVENTS_PER_EPOCH per epoch."""

    def __init__(self, queue: Queue | None, rank: int, steps_per_epoch: int) -> None:
        self.queue = queue if rank == 0 else None
        self.every = max(1, steps_per_epoch // STEP_EVENTS_PER_EPOCH)
        self.steps_per_epoch = steps_per_epoch

    def restored(self, epoch: int, checkpoint: str) -> None:
        if self.queue is not None:
            with contextlib.suppress(Exception):  # best effort, like step events
                self.queue.put_nowait(Restored(epoch, checkpoint))

    def step(self, epoch: int, step_in_epoch: int, global_step: int, loss: float, lr: float) -> None:
        if global_step == 1 and self.queue is not None:
            mark("first step")
        if self.queue is None or (step_in_epoch % self.every and step_in_epoch != self.steps_per_epoch):
            return
        event = StepProgress(epoch, step_in_epoch, self.steps_per_epoch, global_step, loss, lr, time.time())
        try:
            self.queue.put_nowait(event)
        except Exception:  # noqa: BLE001 - progress is best effort; training must go on
            self.queue = None


@dataclass
class WorkerContext:
    """Everything one worker trains with."""

    cfg: TrainConfig
    labels: LabelMap
    rank: int
    device: torch.device
    model: PreTrainedModel | torch.nn.Module  # DDP-wrapped when there are several workers
    tokenizer: PreTrainedTokenizerBase
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    loss_fn: torch.nn.Module
    train_chunks: ShardChunks
    val_chunks: ShardChunks
    progress: Progress
    normalizer: Normalizer
    sources: tuple[str, ...] = ()  # metric keys of the data versions trained on (several: per-source metrics)


def restore(checkpoint: Checkpoint | None, progress: Progress | None = None) -> LoopState | None:
    """Copy a reported checkpoint (from the shared storage, on a cluster) to local disk and read its state."""
    if checkpoint is None:
        return None
    local = Path(tempfile.mkdtemp(prefix="emoai-resume-"))
    checkpoint.to_directory(str(local))
    state = json.loads((local / STATE_FILE).read_text())
    if progress is not None:
        progress.restored(int(state["epoch"]), _where(checkpoint))
    return LoopState(state["epoch"], state["global_step"], state.get("history", []), str(local))


def _where(checkpoint: Checkpoint) -> str:
    """The checkpoint's location as a user would name it (a URI on remote storage)."""
    kind = getattr(getattr(checkpoint, "filesystem", None), "type_name", "local")
    scheme = {"s3": "s3", "gcs": "gs"}.get(kind)
    return f"{scheme}://{checkpoint.path}" if scheme else checkpoint.path


def save(ctx: WorkerContext, state: LoopState, directory: Path) -> None:
    """A checkpoint: the model folder (weights, tokenizer, labels) plus optimiser, schedule and state."""
    import torch

    from emoai_core.model.classifier import save_model_dir

    save_model_dir(ctx.model, ctx.tokenizer, ctx.labels, directory)
    ctx.normalizer.save(directory)  # the best checkpoint's folder is the logged model
    torch.save(ctx.optimizer.state_dict(), directory / "optimizer.pt")
    torch.save(ctx.scheduler.state_dict(), directory / "scheduler.pt")
    payload = {"epoch": state.epoch, "global_step": state.global_step, "history": state.history}
    (directory / STATE_FILE).write_text(json.dumps(payload, indent=2))


def setup(loop: LoopConfig) -> tuple[WorkerContext, LoopState]:
    import ray.train
    import ray.train.torch
    import torch

    from emoai_core.model.classifier import build_classifier, load_tokenizer
    from emoai_core.model.optim import build_loss, build_optimizer, build_scheduler
    from emoai_core.model.step import seed_everything
    from emoai_core.training.plan import local_model_source

    cfg = loop.config
    labels = LabelMap.from_names(loop.labels, loop.task)
    rank = ray.train.get_context().get_world_rank()
    if rank == 0:
        mark("worker setup started")
    torch.set_num_threads(max(1, loop.threads))
    seed_everything(cfg.seed)  # same initial head on every rank; DDP also broadcasts rank 0's
    progress = Progress(loop.queue, rank, loop.steps_per_epoch)
    state = restore(ray.train.get_checkpoint(), progress) or LoopState()
    source = state.model_dir or local_model_source(loop.model_source)
    model = ray.train.torch.prepare_model(build_classifier(source, labels, cfg.dropout))
    optimizer = build_optimizer(model, cfg.lr, cfg.weight_decay, cfg.llrd)
    scheduler = build_scheduler(optimizer, loop.steps_per_epoch * cfg.epochs, cfg.warmup_ratio)
    if state.model_dir:
        restored = Path(state.model_dir)
        optimizer.load_state_dict(torch.load(restored / "optimizer.pt", weights_only=True))
        scheduler.load_state_dict(torch.load(restored / "scheduler.pt", weights_only=True))
    tokenizer = load_tokenizer(source)
    if state.model_dir:
        shutil.rmtree(state.model_dir, ignore_errors=True)
    device = ray.train.torch.get_device()
    ctx = WorkerContext(
        cfg=cfg,
        labels=labels,
        rank=rank,
        device=device,
        model=model,
        tokenizer=tokenizer,
        optimizer=optimizer,
        scheduler=scheduler,
        loss_fn=build_loss(loop.class_weights, cfg.label_smoothing, device, labels.multi_label),
        train_chunks=ShardChunks(ray.train.get_dataset_shard("train"), cfg.batch_size, loop.keep_shards),
        val_chunks=ShardChunks(ray.train.get_dataset_shard("validation"), cfg.batch_size * 2, loop.keep_shards),
        progress=progress,
        normalizer=Normalizer(loop.normalize),
        sources=loop.sources,
    )
    return ctx, state
