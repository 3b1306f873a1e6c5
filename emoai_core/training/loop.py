"""The code each Ray Train worker runs: fine-tune, validate, checkpoint, report.

It knows nothing about MLflow or the terminal: rank 0 sends step progress to the driver's queue,
and every rank calls `ray.train.report` once per epoch (rank 0 with the checkpoint). Resuming is
`worker.setup` reading `ray.train.get_checkpoint()`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from emoai_core.base.timeline import mark
from emoai_core.model.batching import grouped_batches
from emoai_core.model.labels import DEFAULT_THRESHOLD
from emoai_core.model.metrics import (
    confusion_counts,
    metrics_from_confusion,
    metrics_from_multilabel_counts,
    multilabel_counts,
)
from emoai_core.model.step import epoch_seed, to_device, train_step
from emoai_core.training.protocol import FaultPlan, LoopConfig
from emoai_core.training.worker import LoopState, WorkerContext, save, setup


def _all_reduce(array: np.ndarray) -> np.ndarray:
    """Sum an array over all workers (a no-op for a single worker)."""
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return array
    tensor = torch.as_tensor(array, dtype=torch.float64)
    dist.all_reduce(tensor)
    return tensor.numpy()


def _train_epoch(ctx: WorkerContext, epoch: int, state: LoopState) -> float:
    ctx.model.train()
    loss_sum, seen = 0.0, 0
    batches = grouped_batches(ctx.train_chunks, ctx.cfg.batch_size, epoch_seed(ctx.cfg.seed, epoch, ctx.rank))
    for step_in_epoch, batch in enumerate(batches, start=1):
        batch.pop("source", None)
        loss, size = train_step(ctx.model, to_device(batch, ctx.device), ctx.loss_fn, ctx.optimizer, ctx.scheduler)
        state.global_step += 1
        loss_sum += loss * size
        seen += size
        ctx.progress.step(epoch, step_in_epoch, state.global_step, loss, ctx.scheduler.get_last_lr()[-1])
    totals = _all_reduce(np.array([loss_sum, seen], dtype=np.float64))
    return float(totals[0] / max(totals[1], 1))


def _validate(ctx: WorkerContext) -> dict[str, float]:
    """Validation metrics, exact over all workers (counts are summed with one all-reduce), overall
    and, when training on several data versions, per source (`val_<source>_macro_f1`, …)."""
    import torch

    num, multi = len(ctx.labels), ctx.labels.multi_label
    shape = (num + 1, 3) if multi else (num, num)
    counts = np.zeros((max(1, len(ctx.sources)), *shape), dtype=np.float64)
    loss_sum = 0.0
    ctx.model.eval()
    with torch.no_grad():
        for batch in grouped_batches(ctx.val_chunks, ctx.cfg.batch_size * 2, None):
            source = batch.pop("source", np.zeros(len(batch["labels"]), dtype=np.int32))
            batch = to_device(batch, ctx.device)
            labels = batch.pop("labels")
            logits = ctx.model(**batch).logits
            if multi:
                loss_sum += float(torch.nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="sum"))
                truth, predicted = labels.cpu().numpy(), (torch.sigmoid(logits) >= DEFAULT_THRESHOLD).cpu().numpy()
            else:
                loss_sum += float(torch.nn.functional.cross_entropy(logits, labels, reduction="sum"))
                truth, predicted = labels.cpu().numpy(), logits.argmax(-1).cpu().numpy()
            for s in np.unique(source):
                rows = source == s
                if multi:
                    counts[s] += multilabel_counts(truth[rows], predicted[rows])
                else:
                    counts[s] += confusion_counts(truth[rows], predicted[rows], num)
    flat = _all_reduce(np.concatenate([counts.ravel(), [loss_sum]]))
    counts, loss_sum = flat[:-1].reshape(counts.shape), flat[-1]
    out = _metrics(ctx, counts.sum(axis=0), loss_sum)
    if len(ctx.sources) > 1:
        for key, part in zip(ctx.sources, counts, strict=True):
            metrics = metrics_from_multilabel_counts(part) if multi else metrics_from_confusion(part)
            out[f"val_{key}_accuracy"] = metrics["subset_accuracy" if multi else "accuracy"]
            out[f"val_{key}_macro_f1"] = metrics["macro_f1"]
    return out


def _metrics(ctx: WorkerContext, counts: np.ndarray, loss_sum: float) -> dict[str, float]:
    if ctx.labels.multi_label:
        metrics = metrics_from_multilabel_counts(counts)
        rows = counts[-1, 2]
        out = {
            "val_loss": float(loss_sum / max(rows * len(ctx.labels), 1)),  # mean BCE per label and row
            "val_accuracy": metrics["subset_accuracy"],  # every label of the row right
            "val_macro_f1": metrics["macro_f1"],
            "val_micro_f1": metrics["micro_f1"],
            "val_hamming_loss": metrics["hamming_loss"],
        }
    else:
        metrics = metrics_from_confusion(counts)
        out = {
            "val_loss": float(loss_sum / max(counts.sum(), 1)),
            "val_accuracy": metrics["accuracy"],
            "val_macro_f1": metrics["macro_f1"],
        }
    keys = ctx.labels.metric_keys
    for name, f1 in zip(ctx.labels.names, metrics["per_class_f1"], strict=True):
        out[f"val_f1_{keys[name]}"] = f1
    return out


def _maybe_inject_fault(fault: FaultPlan | None, epoch: int) -> None:
    """Test hook: fail once at the start of `epoch`, so a retry must resume from a checkpoint; or, with
    `max_file_bytes`, a full disk from `epoch` on: this worker's files may grow no larger (RLIMIT_FSIZE)."""
    if fault is not None and fault.max_file_bytes and epoch >= fault.epoch:
        import resource

        hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
        resource.setrlimit(resource.RLIMIT_FSIZE, (fault.max_file_bytes, hard))
        return
    if fault is None or fault.epoch != epoch:
        return
    marker = Path(fault.marker)
    if marker.exists():
        return
    marker.write_text("failed once")
    raise RuntimeError(f"injected worker failure at the start of epoch {epoch}")


def _report(ctx: WorkerContext, state: LoopState, metrics: dict[str, float]) -> None:
    import ray.train

    if ctx.rank != 0:
        ray.train.report(metrics, checkpoint=None)
        return
    with tempfile.TemporaryDirectory(prefix="emoai-ckpt-") as tmp:
        save(ctx, state, Path(tmp))
        ray.train.report(metrics, checkpoint=ray.train.Checkpoint.from_directory(tmp))


def _update_best(best: dict[str, float], metrics: dict[str, float]) -> dict[str, float]:
    return {
        "best_val_accuracy": max(best.get("best_val_accuracy", 0.0), metrics.get("val_accuracy", 0.0)),
        "best_val_macro_f1": max(best.get("best_val_macro_f1", 0.0), metrics.get("val_macro_f1", 0.0)),
        "best_val_loss": min(best.get("best_val_loss", float("inf")), metrics.get("val_loss", float("inf"))),
    }


def train_loop_per_worker(loop: LoopConfig) -> None:
    """Entry point of every Ray Train worker."""
    from emoai_core.base.quiet import quiet_libraries

    quiet_libraries()
    ctx, state = setup(loop)
    if ctx.rank == 0:
        mark("worker ready (model, optimiser, shard)")
    best: dict[str, float] = {}
    for past in state.history:
        best = _update_best(best, past)
    for epoch in range(state.epoch + 1, ctx.cfg.epochs + 1):
        _maybe_inject_fault(loop.fault, epoch)
        started = time.time()
        train_loss = _train_epoch(ctx, epoch, state)
        trained = time.time()
        metrics = {"epoch": epoch, "train_loss": train_loss, **_validate(ctx)}
        metrics["lr"] = float(ctx.scheduler.get_last_lr()[-1])
        metrics["train_seconds"] = trained - started
        metrics["epoch_seconds"] = time.time() - started
        metrics["global_step"] = state.global_step
        best = _update_best(best, metrics)
        metrics.update(best)
        state.epoch = epoch
        state.history.append(metrics)
        _report(ctx, state, metrics)
