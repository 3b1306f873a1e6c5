"""`emoai train`: plan, check the cluster can hold the request, fine-tune with Ray Train, track one MLflow run.

The driver owns the MLflow run: it creates it, logs what workers report (through `pump.Pump`),
logs and registers the best model once, and marks the run KILLED on Ctrl-C so
`emoai train --resume RUN` can pick it up.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emoai_core.base.errors import EmoaiError, UsageError
from emoai_core.base.events import emit
from emoai_core.base.timeline import mark
from emoai_core.tracking.progress import steps_per_epoch
from emoai_core.training.config import TrainConfig
from emoai_core.training.events import Phase, RunStarted
from emoai_core.training.plan import Plan, plan_run
from emoai_core.training.protocol import FaultPlan, LoopConfig

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Run
    from ray.train import Checkpoint
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    from emoai_core.tracking.tracker import Tracker


@dataclass
class TrainResult:
    run_id: str
    run_name: str
    experiment: str
    data: str
    metrics: dict[str, float]
    best_epoch: int
    best_metrics: dict[str, float]
    model_version: str | None
    checkpoint: str | None
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class RunOptions:
    """How a planned run executes, beyond what it computes (`TrainConfig`)."""

    address: str | None = None
    wait: bool = False
    fault: FaultPlan | None = None
    callbacks: tuple[Any, ...] = ()  # extra Ray Train callbacks (a study's TuneReportCallback)
    kind: str = "train"
    parent_run_id: str | None = None
    register: bool = True


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _failure_message(exc: BaseException, worker_errors: list[str]) -> str:
    """What failed, in the words of the worker that failed when a worker did."""
    return f"training failed: {worker_errors[-1] if worker_errors else _first_line(exc)}"


def _execute(plan: Plan, opts: RunOptions, on_event: Callable | None, resume_run: Run | None = None) -> TrainResult:
    from ray.util.queue import Queue

    from emoai_core.base.quiet import quiet_libraries
    from emoai_core.cluster import ray_env
    from emoai_core.model.optim import class_weights
    from emoai_core.tracking.liveness import driver_identity
    from emoai_core.tracking.store import client as tracking_client
    from emoai_core.tracking.tracker import Tracker
    from emoai_core.training.checkpoints import backfill_epochs, best_checkpoint, last_checkpoint_epoch
    from emoai_core.training.datasets import keeps_shards, tokenized
    from emoai_core.training.mlflow_run import start_run
    from emoai_core.training.pump import Pump
    from emoai_core.training.scaling import scaling_for
    from emoai_core.training.sources import source_keys
    from emoai_core.training.trainer import build_trainer

    quiet_libraries()
    started = time.time()
    cfg = plan.config
    client = tracking_client(write=True)  # a locked or read-only store fails here, before Ray starts
    mark("tracking store open")
    emit(on_event, Phase("starting Ray"))
    ray_env.connect(opts.address)
    mark("ray connected")
    scaling, cpu = scaling_for(cfg, opts.wait)
    emit(on_event, Phase("tokenizing"))
    datasets = tokenized(plan)
    mark("tokenized")
    train_rows = datasets["train"].count()
    rows_per_worker = train_rows // cfg.num_workers
    if rows_per_worker == 0:
        raise UsageError(f"{train_rows} training rows cannot feed {cfg.num_workers} workers")
    steps = steps_per_epoch(train_rows, cfg.num_workers, cfg.batch_size)
    if resume_run is None:
        run_id, run_name = start_run(client, plan, cpu, train_rows, opts.kind, opts.parent_run_id)
        resumed_from = 0
    else:
        run_id, run_name = resume_run.info.run_id, resume_run.info.run_name
        resumed_from = last_checkpoint_epoch(run_id)
        for key, value in driver_identity(os.getpid()).items():  # this process drives the run now
            client.set_tag(run_id, key, value)
        client.update_run(run_id, status="RUNNING")
    tracker = Tracker(client, run_id)
    if resume_run is not None:
        backfill_epochs(client, tracker, run_id)
    emit(
        on_event,
        RunStarted(
            run_id, run_name, cfg.experiment, cfg.data, cfg.epochs, steps, cfg.num_workers, cpu,
            cfg.gpu_per_worker, train_rows, resumed_from,
        ),
    )
    weights = class_weights(plan.train_counts, cfg.class_weighting, train_rows, plan.labels.multi_label)
    queue = Queue(actor_options={"num_cpus": 0, "scheduling_strategy": on_this_node()})
    loop = LoopConfig(
        config=cfg,
        labels=plan.labels.names,
        model_source=plan.model_uri or plan.model_source,
        steps_per_epoch=steps,
        threads=max(1, int(cpu)),
        keep_shards=keeps_shards(datasets, cfg.num_workers),
        class_weights=tuple(weights) if weights is not None else None,
        task=plan.labels.task,
        normalize=plan.normalizer.steps,
        sources=source_keys(list(plan.sources)) if plan.multi_source else (),
        queue=queue,
        fault=opts.fault,
    )
    trainer = build_trainer(loop, datasets, scaling, run_id, queue, list(opts.callbacks))
    mark("run created, trainer starting")
    pump = Pump(queue, tracker, on_event)
    try:
        result = pump.run(trainer.fit)
    except KeyboardInterrupt:
        # Only mark the run: the Ctrl-C also reached a local Ray's processes, and shutting Ray down
        # from here can crash in its native threads. Ray's processes share the driver's fate.
        tracker.finish("KILLED")
        raise
    except Exception as exc:
        tracker.finish("FAILED")
        message = _failure_message(exc, [f.error for f in pump.failures])
        raise EmoaiError(message, _next_step(run_id, message)) from exc
    best, best_metrics = best_checkpoint(result, cfg)
    try:
        version = _log_best(plan, best, run_id, tracker, opts, on_event)
    except BaseException as exc:
        _unregister(client, run_id)  # a registration cut short is not kept: --resume registers again
        tracker.finish("KILLED" if isinstance(exc, KeyboardInterrupt) else "FAILED")
        raise
    tracker.finish("FINISHED")
    return TrainResult(
        run_id=run_id,
        run_name=run_name,
        experiment=cfg.experiment,
        data=cfg.data,  # every source, NAME@VERSION joined by commas
        metrics=dict(result.metrics or {}),
        best_epoch=int(best_metrics.get("epoch", 0)),
        best_metrics=best_metrics,
        model_version=version,
        checkpoint=best.path if best is not None else None,
        seconds=time.time() - started,
        history=tracker.history or [dict(result.metrics or {})],
    )


def _next_step(run_id: str, message: str = "") -> str:
    """The hint after a failed run: `--resume` only when a checkpoint was saved to resume from."""
    from emoai_core.base.errors import is_disk_full
    from emoai_core.base.settings import paths
    from emoai_core.training.checkpoints import last_checkpoint_epoch

    cause = f"free disk space under {paths().ray_storage}" if is_disk_full(message) else "fix the cause"
    if last_checkpoint_epoch(run_id):
        return f"{cause}, then continue from the last checkpoint: emoai train --resume {run_id}"
    return "fix the cause, then start again: no checkpoint was saved (see 'emoai train --help')"


def _unregister(client: MlflowClient, run_id: str) -> None:
    from emoai_core.base.interrupts import deferred_sigint
    from emoai_core.tracking.registry import delete_version, versions_by_run

    with deferred_sigint():
        for version in versions_by_run(client).get(run_id, []):
            delete_version(client, version.version)


def on_this_node() -> NodeAffinitySchedulingStrategy:
    """Keep the progress queue beside the driver: a worker node lost mid-run must not take it along."""
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    return NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)


def _log_best(
    plan: Plan, best: Checkpoint, run_id: str, tracker: Tracker, opts: RunOptions, on_event: Callable | None
) -> str | None:
    """Log (and register) the best checkpoint; a multi-label model first gets its fitted thresholds."""
    from emoai_core.tracking.registry import log_model
    from emoai_core.training.thresholds import fit_on_validation

    cfg = plan.config
    with tempfile.TemporaryDirectory(prefix="emoai-best-") as tmp:
        best.to_directory(tmp)
        labels = plan.labels
        if labels.multi_label:
            emit(on_event, Phase("fitting decision thresholds on validation"))
            labels, metrics = fit_on_validation(Path(tmp), plan)
            labels.save(Path(tmp))
            tracker.log_final(metrics)
        elif plan.abstain_data is not None:
            from emoai_core.training.abstain import fit_on_abstain_data

            emit(on_event, Phase(f"fitting the abstain threshold on {plan.abstain_data.ref}"))
            labels, metrics = fit_on_abstain_data(Path(tmp), plan)
            labels.save(Path(tmp))
            tracker.log_final(metrics)
        emit(on_event, Phase("registering model"))
        return log_model(run_id, Path(tmp), labels, cfg.model_dump(), cfg.max_length, opts.register)


def train(
    config: TrainConfig, opts: RunOptions | None = None, *, on_event: Callable | None = None
) -> TrainResult:
    """Fine-tune a classifier as `config` says; returns the finished run.

    `opts` says where and how it runs: a study passes `TuneReportCallback` in `callbacks`, nests
    the run under its parent with `kind="trial"`, and registers only its best trial later.
    """
    mark("train called")
    plan = plan_run(config, on_event)
    mark("planned (data validated, base model checked)")
    return _execute(plan, opts or RunOptions(), on_event)


def resume(ref: str, opts: RunOptions | None = None, *, on_event: Callable | None = None) -> TrainResult:
    """Continue an interrupted or failed run from its last checkpoint, in the same MLflow run."""
    from emoai_core.tracking import liveness
    from emoai_core.tracking.runs import resolve_run
    from emoai_core.tracking.store import client as tracking_client
    from emoai_core.training.checkpoints import last_checkpoint_epoch

    client = tracking_client(write=True)
    run = liveness.settle(client, [resolve_run(ref, client=client)])[0]
    if liveness.driven_here(run):
        raise UsageError(
            f"run {run.info.run_id} is still running (process {run.data.tags.get('emoai.pid')})",
            f"stop it first: emoai runs stop {run.info.run_id}",
        )
    if run.info.status == "FINISHED":
        raise UsageError(
            f"run {run.info.run_id} already finished; nothing to resume",
            f"start a new run with 'emoai train', or inspect it: emoai runs show {run.info.run_id}",
        )
    if run.data.tags.get("emoai.kind") not in (None, "train", "trial"):
        raise UsageError(f"run {run.info.run_id} is not a training run")
    if last_checkpoint_epoch(run.info.run_id) == 0:
        raise UsageError(
            f"run {run.info.run_id} has no checkpoint to resume from", "start a new run with 'emoai train'"
        )
    params = {k: v for k, v in run.data.params.items() if k in TrainConfig.model_fields}
    config = TrainConfig(**{k: (None if v == "" else v) for k, v in params.items()})
    return _execute(plan_run(config, on_event), opts or RunOptions(), on_event, resume_run=run)
