"""The code each Ray Train worker runs: fine-tune, validate, checkpoint, report.

It knows nothing about MLflow or the terminal: rank 0 sends step progress to a queue the driver
reads, and every rank calls `ray.train.report` once per epoch (rank 0 with the checkpoint).
Resuming is reading `ray.train.get_checkpoint()`: the same code serves a fresh run, a worker-group
retry (`FailureConfig`) and `emoai train --resume`.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emoai_core.model.batching import chunk_rows, grouped_batches
from emoai_core.model.labels import LabelMap
from emoai_core.model.metrics import confusion_counts, metrics_from_confusion
from emoai_core.training.config import TrainConfig

STATE_FILE = "trainer_state.json"
STEP_EVENTS_PER_EPOCH = 25


@dataclass
class LoopState:
    """What a checkpoint restores besides weights: where training stands and the history so far."""

    epoch: int = 0
    global_step: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    model_dir: str | None = None


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _restore(checkpoint: Any) -> LoopState | None:
    """Copy a reported checkpoint to local disk and read its trainer state."""
    if checkpoint is None:
        return None
    local = Path(tempfile.mkdtemp(prefix="emoai-resume-"))
    checkpoint.to_directory(str(local))
    state = json.loads((local / STATE_FILE).read_text())
    return LoopState(state["epoch"], state["global_step"], state.get("history", []), str(local))


def _all_reduce(array: np.ndarray) -> np.ndarray:
    """Sum an array over all workers (a no-op for a single worker)."""
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return array
    tensor = torch.as_tensor(array, dtype=torch.float64)
    dist.all_reduce(tensor)
    return tensor.numpy()


def _to_device(batch: dict[str, np.ndarray], device: Any) -> dict[str, Any]:
    import torch

    return {k: torch.as_tensor(v, device=device) for k, v in batch.items()}


class ShardChunks:
    """A worker's dataset shard as column chunks: streamed every pass, or read once and kept.

    Every pass over a Ray Data shard starts a new streaming split (1-3 s on 2 CPUs, before the first
    batch arrives) and keeps Ray Data's coordinator busy beside the training threads, only to yield
    the same rows in the same order (the datasets are materialised with `preserve_order`). So a
    shard small enough to keep is read once, before the first epoch, and replayed from memory.
    """

    def __init__(self, shard: Any, batch_size: int, keep: bool) -> None:
        self.shard, self.rows = shard, chunk_rows(batch_size)
        self.kept: list[dict[str, np.ndarray]] | None = list(self._stream()) if keep else None

    def _stream(self) -> Iterator[dict[str, np.ndarray]]:
        return self.shard.iter_batches(batch_size=self.rows, batch_format="numpy", prefetch_batches=1)

    def __iter__(self) -> Iterator[dict[str, np.ndarray]]:
        return iter(self.kept) if self.kept is not None else self._stream()


class _Progress:
    """Rank-0 step events to the driver's queue, about STEP_EVENTS_PER_EPOCH per epoch."""

    def __init__(self, queue: Any, rank: int, steps_per_epoch: int) -> None:
        self.queue = queue if rank == 0 else None
        self.every = max(1, steps_per_epoch // STEP_EVENTS_PER_EPOCH)
        self.steps_per_epoch = steps_per_epoch

    def step(self, epoch: int, step_in_epoch: int, global_step: int, loss: float, lr: float) -> None:
        if self.queue is None or (step_in_epoch % self.every and step_in_epoch != self.steps_per_epoch):
            return
        event = {
            "type": "step",
            "epoch": epoch,
            "step": step_in_epoch,
            "steps_per_epoch": self.steps_per_epoch,
            "global_step": global_step,
            "loss": loss,
            "lr": lr,
            "time": time.time(),
        }
        try:
            self.queue.put_nowait(event)
        except Exception:  # noqa: BLE001 - progress is best effort; training must go on
            self.queue = None


def _train_epoch(ctx: dict[str, Any], epoch: int, state: LoopState) -> float:
    import torch

    model, optimizer, scheduler, loss_fn = ctx["model"], ctx["optimizer"], ctx["scheduler"], ctx["loss_fn"]
    cfg: TrainConfig = ctx["cfg"]
    model.train()
    seed = cfg.seed * 100_003 + epoch * 1_009 + ctx["rank"]
    loss_sum, seen = 0.0, 0
    batches = grouped_batches(ctx["train_chunks"], cfg.batch_size, seed)
    for step_in_epoch, batch in enumerate(batches, start=1):
        batch = _to_device(batch, ctx["device"])
        labels = batch.pop("labels")
        logits = model(**batch).logits
        loss = loss_fn(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        state.global_step += 1
        loss_sum += float(loss.detach()) * len(labels)
        seen += len(labels)
        ctx["progress"].step(
            epoch, step_in_epoch, state.global_step, float(loss.detach()), scheduler.get_last_lr()[-1]
        )
    totals = _all_reduce(np.array([loss_sum, seen], dtype=np.float64))
    return float(totals[0] / max(totals[1], 1))


def _validate(ctx: dict[str, Any]) -> dict[str, float]:
    import torch

    model, labels_map = ctx["model"], ctx["labels"]
    cfg: TrainConfig = ctx["cfg"]
    num = len(labels_map)
    model.eval()
    cm = np.zeros((num, num), dtype=np.float64)
    loss_sum = 0.0
    plain_loss = torch.nn.CrossEntropyLoss(reduction="sum")
    with torch.no_grad():
        for batch in grouped_batches(ctx["val_chunks"], cfg.batch_size * 2, None):
            batch = _to_device(batch, ctx["device"])
            labels = batch.pop("labels")
            logits = model(**batch).logits
            loss_sum += float(plain_loss(logits, labels))
            cm += confusion_counts(labels.cpu().numpy(), logits.argmax(-1).cpu().numpy(), num)
    flat = _all_reduce(np.concatenate([cm.ravel(), [loss_sum]]))
    cm, loss_sum = flat[:-1].reshape(num, num), flat[-1]
    metrics = metrics_from_confusion(cm)
    out = {
        "val_loss": float(loss_sum / max(cm.sum(), 1)),
        "val_accuracy": metrics["accuracy"],
        "val_macro_f1": metrics["macro_f1"],
    }
    for name, f1 in zip(labels_map.names, metrics["per_class_f1"], strict=True):
        out[f"val_f1_{name}"] = f1
    return out


def _save_checkpoint(ctx: dict[str, Any], state: LoopState, directory: Path) -> None:
    import torch

    from emoai_core.model.classifier import save_model_dir

    save_model_dir(ctx["model"], ctx["tokenizer"], ctx["labels"], directory)
    torch.save(ctx["optimizer"].state_dict(), directory / "optimizer.pt")
    torch.save(ctx["scheduler"].state_dict(), directory / "scheduler.pt")
    payload = {"epoch": state.epoch, "global_step": state.global_step, "history": state.history}
    (directory / STATE_FILE).write_text(json.dumps(payload, indent=2))


def _maybe_inject_fault(loop_cfg: dict[str, Any], epoch: int) -> None:
    """Test hook: fail once at the start of `epoch`, so a retry must resume from a checkpoint."""
    fault = loop_cfg.get("fault")
    if not fault or fault.get("epoch") != epoch:
        return
    marker = Path(fault["marker"])
    if marker.exists():
        return
    marker.write_text("failed once")
    raise RuntimeError(f"injected worker failure at the start of epoch {epoch}")


def _report(ctx: dict[str, Any], state: LoopState, metrics: dict[str, float]) -> None:
    import ray.train

    if ctx["rank"] != 0:
        ray.train.report(metrics, checkpoint=None)
        return
    with tempfile.TemporaryDirectory(prefix="emoai-ckpt-") as tmp:
        _save_checkpoint(ctx, state, Path(tmp))
        ray.train.report(metrics, checkpoint=ray.train.Checkpoint.from_directory(tmp))


def _setup(loop_cfg: dict[str, Any]) -> tuple[dict[str, Any], LoopState]:
    import ray.train
    import ray.train.torch
    import torch

    from emoai_core.model.classifier import build_classifier, load_tokenizer
    from emoai_core.model.optim import build_loss, build_optimizer, build_scheduler

    cfg = TrainConfig(**loop_cfg["config"])
    labels = LabelMap.from_names(loop_cfg["labels"])
    context = ray.train.get_context()
    rank = context.get_world_rank()
    torch.set_num_threads(max(1, int(loop_cfg.get("threads") or 1)))
    seed_everything(cfg.seed)  # same initial head on every rank; DDP also broadcasts rank 0's
    state = _restore(ray.train.get_checkpoint()) or LoopState()
    source = state.model_dir or loop_cfg["model_source"]
    model = build_classifier(source, labels, cfg.dropout)
    tokenizer = load_tokenizer(source)
    model = ray.train.torch.prepare_model(model)
    steps_per_epoch = int(loop_cfg["steps_per_epoch"])
    optimizer = build_optimizer(model, cfg.lr, cfg.weight_decay, cfg.llrd)
    scheduler = build_scheduler(optimizer, steps_per_epoch * cfg.epochs, cfg.warmup_ratio)
    if state.model_dir:
        restored = Path(state.model_dir)
        optimizer.load_state_dict(torch.load(restored / "optimizer.pt", weights_only=True))
        scheduler.load_state_dict(torch.load(restored / "scheduler.pt", weights_only=True))
        shutil.rmtree(restored, ignore_errors=True)
    device = ray.train.torch.get_device()
    keep = bool(loop_cfg.get("keep_shards"))
    ctx = {
        "cfg": cfg,
        "labels": labels,
        "rank": rank,
        "device": device,
        "model": model,
        "tokenizer": tokenizer,
        "optimizer": optimizer,
        "scheduler": scheduler,
        "loss_fn": build_loss(loop_cfg.get("class_weights"), cfg.label_smoothing, device),
        "train_chunks": ShardChunks(ray.train.get_dataset_shard("train"), cfg.batch_size, keep),
        "val_chunks": ShardChunks(ray.train.get_dataset_shard("validation"), cfg.batch_size * 2, keep),
        "progress": _Progress(loop_cfg.get("queue"), rank, steps_per_epoch),
    }
    return ctx, state


def train_loop_per_worker(loop_cfg: dict[str, Any]) -> None:
    """Entry point of every Ray Train worker (see `emoai_core.training.run` for `loop_cfg`)."""
    from emoai_core.base.quiet import quiet_libraries

    quiet_libraries()
    ctx, state = _setup(loop_cfg)
    cfg: TrainConfig = ctx["cfg"]
    best: dict[str, float] = {}
    for past in state.history:
        best = _update_best(best, past)
    for epoch in range(state.epoch + 1, cfg.epochs + 1):
        _maybe_inject_fault(loop_cfg, epoch)
        started = time.time()
        train_loss = _train_epoch(ctx, epoch, state)
        trained = time.time()
        metrics = {"epoch": epoch, "train_loss": train_loss, **_validate(ctx)}
        metrics["lr"] = float(ctx["scheduler"].get_last_lr()[-1])
        metrics["train_seconds"] = trained - started
        metrics["epoch_seconds"] = time.time() - started
        metrics["global_step"] = state.global_step
        best = _update_best(best, metrics)
        metrics.update(best)
        state.epoch = epoch
        state.history.append(metrics)
        _report(ctx, state, metrics)


def _update_best(best: dict[str, float], metrics: dict[str, float]) -> dict[str, float]:
    return {
        "best_val_accuracy": max(best.get("best_val_accuracy", 0.0), metrics.get("val_accuracy", 0.0)),
        "best_val_macro_f1": max(best.get("best_val_macro_f1", 0.0), metrics.get("val_macro_f1", 0.0)),
        "best_val_loss": min(best.get("best_val_loss", float("inf")), metrics.get("val_loss", float("inf"))),
    }
