"""`emoai train`: validate the data, check the cluster can hold the request, fine-tune with Ray Train,
and track everything in one MLflow run.

The driver owns the MLflow run: it creates it, logs what workers report (step progress from rank 0,
epoch metrics and checkpoints from the Ray Train controller), logs and registers the best model
once, and marks the run KILLED on Ctrl-C so `emoai train --resume RUN` can pick it up.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue as queue_mod
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoai_core.base.errors import EmoaiError, UsageError
from emoai_core.base.events import emit
from emoai_core.base.interrupts import deferred_sigint
from emoai_core.base.settings import DEFAULT_BASE_MODEL, REGISTERED_MODEL, load_settings
from emoai_core.model.labels import LabelMap
from emoai_core.training.config import TrainConfig
from emoai_core.training.events import EpochReport, Phase, RunStarted, StepProgress

MAX_FAILURES = 2
KEEP_SHARD_BYTES = 512 * 2**20  # tokenised rows a worker may keep in memory between epochs
FIT_DONE = "fit_done"  # the last event on the progress queue
PUMP_WAIT_S = 5.0  # longest wait on an empty progress queue before checking the fit thread


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


@dataclass
class _Plan:
    """Everything decided before Ray starts training."""

    config: TrainConfig
    data: Any  # emoai_core.data.versions.DataVersion
    labels: LabelMap
    model_source: str
    train_counts: list[int]


def _plan(config: TrainConfig, on_event: Callable | None) -> _Plan:
    from emoai_core.data.versions import resolve_version, validate_version
    from emoai_core.model.classifier import resolve_base_model

    emit(on_event, Phase("validating data"))
    dv = resolve_version(config.data)
    report = validate_version(dv)
    if not report.ok:
        failed = ", ".join(c.name for c in report.checks if c.status == "fail")
        raise UsageError(
            f"data version {dv.ref} fails validation ({failed}); refusing to train on it",
            f"see 'emoai data validate {dv.ref}'",
        )
    config = config.model_copy(update={"data": dv.ref})
    source = resolve_base_model(config.model)
    _check_model_loads(source, config.model or DEFAULT_BASE_MODEL)
    return _Plan(config, dv, dv.label_map, source, _label_counts(dv, config.limit))


def _check_model_loads(source: str, name: str) -> None:
    """Fail before Ray starts if the base model cannot be found."""
    from transformers import AutoConfig

    from emoai_core.model.classifier import _load_error

    try:
        AutoConfig.from_pretrained(source)
    except (OSError, ValueError) as exc:
        raise _load_error(name, exc) from None


def _label_counts(dv: Any, limit: int | None) -> list[int]:
    import pyarrow.parquet as pq

    labels = pq.read_table(dv.split_path("train"), columns=["label"]).column("label").to_pylist()
    labels = labels[:limit] if limit else labels
    return [labels.count(name) for name in dv.label_map.names]


def _tokenize_fn(source: str, max_length: int, label2id: dict[str, int]) -> Callable:
    def tokenize(batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from emoai_core.model.classifier import load_tokenizer

        tokenizer = _TOKENIZERS.get(source) or _TOKENIZERS.setdefault(source, load_tokenizer(source))
        encoded = tokenizer(list(batch["text"]), truncation=True, max_length=max_length)["input_ids"]
        ids = np.empty(len(encoded), dtype=object)
        ids[:] = [np.asarray(e, dtype=np.int32) for e in encoded]
        return {
            "input_ids": ids,
            "length": np.asarray([len(e) for e in encoded], dtype=np.int32),
            "label": np.asarray([label2id[name] for name in batch["label"]], dtype=np.int64),
        }

    return tokenize


_TOKENIZERS: dict[str, Any] = {}


def _datasets(plan: _Plan) -> tuple[dict[str, Any], int, int]:
    """Tokenised, materialised Ray datasets (tokenised once, not every epoch) and their sizes."""
    import ray.data

    cfg = plan.config
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    tokenize = _tokenize_fn(plan.model_source, cfg.max_length, plan.labels.label2id)
    out = {}
    for split in ("train", "validation"):
        ds = ray.data.read_parquet(str(plan.data.split_path(split)))
        if split == "train":
            if cfg.limit:
                ds = ds.limit(cfg.limit)
            ds = ds.random_shuffle(seed=cfg.seed)
        out[split] = ds.map_batches(tokenize, batch_format="numpy", batch_size=1024).materialize()
    return out, out["train"].count(), out["validation"].count()


def keeps_shards(datasets: dict[str, Any], num_workers: int) -> bool:
    """Whether each worker may read its shards once and keep them in memory (see ShardChunks)."""
    per_worker = sum(ds.size_bytes() for ds in datasets.values()) / max(1, num_workers)
    return per_worker <= KEEP_SHARD_BYTES


def _scaling(cfg: TrainConfig, wait: bool) -> tuple[Any, float]:
    """The ScalingConfig for this request, after checking the cluster can ever hold it."""
    from emoai_core.cluster import ray_env

    nodes = ray_env.alive_nodes()
    cpu = cfg.cpu_per_worker or ray_env.default_cpu_per_worker(nodes, cfg.num_workers)
    if not wait:
        ray_env.check_capacity(nodes, cfg.num_workers, cpu, cfg.gpu_per_worker)
    return scaling_config(cfg.num_workers, cpu, cfg.gpu_per_worker), cpu


def scaling_config(num_workers: int, cpu: float, gpu: float) -> Any:
    """What each worker asks Ray for: CPUs always, GPUs only when requested."""
    from ray.train import ScalingConfig

    resources = {"CPU": cpu}
    if gpu:
        resources["GPU"] = gpu
    return ScalingConfig(num_workers=num_workers, use_gpu=bool(gpu), resources_per_worker=resources)


def ray_run_name(run_id: str) -> str:
    return f"emoai-{run_id}"


class _Tracker:
    """The MLflow side of one run: params and tags up front, metrics as they arrive, status at the end."""

    def __init__(self, client: Any, run_id: str) -> None:
        self.client = client
        self.run_id = run_id
        self.history: list[dict[str, float]] = []

    def log_step(self, event: dict[str, Any]) -> None:
        with deferred_sigint():
            self.client.log_metric(self.run_id, "train_loss_step", event["loss"], step=event["global_step"])

    def log_epoch(self, metrics: dict[str, float]) -> None:
        from mlflow.entities import Metric

        epoch = int(metrics["epoch"])
        now = int(time.time() * 1000)
        batch = [Metric(k, float(v), now, epoch) for k, v in metrics.items() if isinstance(v, int | float)]
        with deferred_sigint():
            self.client.log_batch(self.run_id, metrics=batch)
            self.history.append(dict(metrics))

    def finish(self, status: str) -> None:
        with deferred_sigint():
            self.client.set_terminated(self.run_id, status=status)


def _start_run(
    client: Any, plan: _Plan, cpu: float, train_rows: int, lineage: dict[str, str]
) -> tuple[str, str]:
    from mlflow.entities import Param

    from emoai_core.tracking.store import ensure_experiment, git_commit

    cfg = plan.config
    experiment_id = ensure_experiment(client, cfg.experiment)
    tags = {
        "emoai.kind": "train",
        **lineage,
        "emoai.data": plan.data.ref,
        "emoai.base_model": cfg.model or DEFAULT_BASE_MODEL,
        "emoai.total_epochs": str(cfg.epochs),
        "emoai.pid": str(os.getpid()),
        "emoai.host": socket.gethostname(),
    }
    commit = git_commit()
    if commit:
        tags["mlflow.source.git.commit"] = commit
    from emoai_core.cluster.jobs import ENV_JOB_DASHBOARD, ENV_JOB_ID

    if os.environ.get(ENV_JOB_ID):  # submitted as a Ray Job: `emoai runs stop` stops the job
        tags["emoai.ray_job_id"] = os.environ[ENV_JOB_ID]
        tags["emoai.ray_address"] = os.environ.get(ENV_JOB_DASHBOARD, "")
    run = client.create_run(experiment_id, run_name=cfg.run_name, tags=tags)
    run_id = run.info.run_id
    client.set_tag(run_id, "emoai.ray_run", ray_run_name(run_id))
    params = {**cfg.as_params(), "resolved_cpu_per_worker": cpu, "train_rows": train_rows}
    client.log_batch(run_id, params=[Param(k, str(v)[:6000]) for k, v in params.items()])
    _log_dataset(client, run_id, plan)
    return run_id, run.info.run_name


def _log_dataset(client: Any, run_id: str, plan: _Plan) -> None:
    from mlflow.entities import Dataset, DatasetInput, InputTag

    from emoai_core.tracking.store import retry_on_conflict

    dv = plan.data
    dataset = Dataset(
        name=dv.name,
        digest=dv.version,
        source_type="local",
        source=json.dumps({"uri": str(dv.path), "source": dv.manifest.get("source")}),
        schema=json.dumps({"columns": ["text", "label"], "labels": list(dv.label_map.names)}),
        profile=json.dumps({s: v.get("rows") for s, v in dv.manifest.get("splits", {}).items()}),
    )
    tags = [InputTag("mlflow.data.context", "training"), InputTag("emoai.data_version", dv.ref)]
    inputs = [DatasetInput(dataset, tags)]
    # the trials of a study log the same dataset at the same moment: the store's insert races
    retry_on_conflict(lambda: client.log_inputs(run_id, datasets=inputs))


def _make_trainer(
    plan: _Plan,
    datasets: dict,
    scaling: Any,
    cpu: float,
    run_id: str,
    queue: Any,
    steps_per_epoch: int,
    fault: dict | None,
    callbacks: list | None,
) -> Any:
    from ray.train import CheckpointConfig, FailureConfig, RunConfig
    from ray.train.torch import TorchTrainer

    from emoai_core.model.optim import class_weights
    from emoai_core.training.callbacks import ReportForwarder
    from emoai_core.training.loop import train_loop_per_worker

    cfg = plan.config
    keep = keeps_shards(datasets, cfg.num_workers)
    loop_cfg = {
        "config": cfg.model_dump(),
        "labels": list(plan.labels.names),
        "model_source": plan.model_source,
        "steps_per_epoch": steps_per_epoch,
        "threads": max(1, int(cpu)),
        "keep_shards": keep,
        "class_weights": class_weights(plan.train_counts, cfg.class_weighting),
        "queue": queue,
        "fault": fault,
    }
    run_config = RunConfig(
        name=ray_run_name(run_id),
        storage_path=str(load_settings().ray_storage),
        checkpoint_config=CheckpointConfig(
            num_to_keep=1,
            checkpoint_score_attribute=cfg.checkpoint_metric,
            checkpoint_score_order=cfg.checkpoint_mode,
        ),
        failure_config=FailureConfig(max_failures=MAX_FAILURES),
        callbacks=[ReportForwarder(queue), *(callbacks or [])],
    )
    return TorchTrainer(
        train_loop_per_worker,
        train_loop_config=loop_cfg,
        scaling_config=scaling,
        run_config=run_config,
        datasets=datasets,
        dataset_config=_dataset_config(datasets, cfg.num_workers, keep),
    )


def _dataset_config(datasets: dict[str, Any], num_workers: int, keep: bool) -> Any:
    """Kept shards are cut once (no coordinator actors); larger data streams as Ray Train splits it."""
    if not keep:
        return None
    from emoai_core.training.shards import kept_shards_config

    return kept_shards_config(datasets, num_workers)


def _pump(trainer: Any, queue: Any, tracker: _Tracker, cfg: TrainConfig, on_event: Callable | None) -> Any:
    """Run `fit()` in a thread and turn queue events into MLflow metrics and UI events.

    The fit thread ends the stream with a FIT_DONE event, so the pump can wait long on an empty
    queue: each timed-out wait is a call to the queue actor, CPU taken from the training threads.
    """
    outcome: dict[str, Any] = {}

    def fit() -> None:
        try:
            outcome["result"] = trainer.fit()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            outcome["error"] = exc
        finally:
            with contextlib.suppress(Exception):  # a dead queue: the pump sees the thread has ended
                queue.put({"type": FIT_DONE})

    thread = threading.Thread(target=fit, name="emoai-fit", daemon=True)
    thread.start()
    while True:
        try:
            event = queue.get(timeout=PUMP_WAIT_S)
        except (queue_mod.Empty, Exception):  # ray.util.queue.Empty subclasses queue.Empty
            if thread.is_alive():
                continue
            break
        if event.get("type") == FIT_DONE:
            break
        _handle(event, tracker, cfg, on_event)
    _drain(queue, tracker, cfg, on_event)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _drain(queue: Any, tracker: _Tracker, cfg: TrainConfig, on_event: Callable | None) -> None:
    """Handle events that reached the queue after FIT_DONE (a worker's last step events may)."""
    while True:
        try:
            event = queue.get_nowait()
        except Exception:  # noqa: BLE001 - Empty, or the queue actor is gone: nothing more to read
            return
        if event.get("type") != FIT_DONE:
            _handle(event, tracker, cfg, on_event)


def _handle(event: dict[str, Any], tracker: _Tracker, cfg: TrainConfig, on_event: Callable | None) -> None:
    kind = event.get("type")
    if kind == "step":
        tracker.log_step(event)
        emit(
            on_event,
            StepProgress(
                event["epoch"],
                event["step"],
                event["steps_per_epoch"],
                event["global_step"],
                event["loss"],
                event["lr"],
            ),
        )
    elif kind == "report":
        metrics = event["metrics"]
        tracker.log_epoch(metrics)
        emit(on_event, EpochReport(int(metrics["epoch"]), cfg.epochs, metrics))


def _best(result: Any, cfg: TrainConfig) -> tuple[Any, dict[str, float]]:
    best = (
        result.get_best_checkpoint(cfg.checkpoint_metric, cfg.checkpoint_mode)
        if result.best_checkpoints
        else None
    )
    if best is None:
        return result.checkpoint, dict(result.metrics or {})
    metrics = next((m for c, m in result.best_checkpoints if c.path == best.path), result.metrics)
    return best, dict(metrics)


def log_model(
    run_id: str, checkpoint: Any, labels: LabelMap, cfg: TrainConfig, register: bool = True
) -> str | None:
    """Log a checkpoint once, in Hugging Face format with its labels; register it unless told not to.

    Returns the registered version (None when not registered). The model URI is kept in the run's
    `emoai.model_uri` tag so `register_run_model` can register it later (tune's best trial).
    """
    import mlflow
    from transformers import AutoModelForSequenceClassification

    from emoai_core.base.quiet import quiet_libraries, silenced_stderr
    from emoai_core.model.classifier import load_tokenizer

    quiet_libraries()
    with tempfile.TemporaryDirectory(prefix="emoai-best-") as tmp, silenced_stderr():
        checkpoint.to_directory(tmp)
        model = AutoModelForSequenceClassification.from_pretrained(tmp)
        tokenizer = load_tokenizer(tmp)
        with mlflow.start_run(run_id=run_id, log_system_metrics=False):
            info = mlflow.transformers.log_model(
                transformers_model={"model": model, "tokenizer": tokenizer},
                task="text-classification",
                name="model",
                pip_requirements=["torch", "transformers", "tokenizers"],
                registered_model_name=REGISTERED_MODEL if register else None,
                metadata={"labels": list(labels.names), "max_length": cfg.max_length},
            )
            mlflow.log_dict(labels.to_json(), "labels.json")
            mlflow.log_dict(cfg.model_dump(), "train_config.json")
            mlflow.set_tag("emoai.model_uri", info.model_uri)
            # leaving the block would mark the run FINISHED; the caller decides the final status
            mlflow.end_run(status="RUNNING")
    version = getattr(info, "registered_model_version", None) if register else None
    return str(version) if version is not None else None


def register_run_model(run_id: str) -> str:
    """Register the model a run already logged (used for tune's best trial); returns the version."""
    import mlflow

    from emoai_core.base.quiet import silenced_stderr
    from emoai_core.tracking.store import client as tracking_client

    uri = tracking_client().get_run(run_id).data.tags.get("emoai.model_uri")
    if not uri:
        raise UsageError(f"run {run_id} has no logged model to register")
    with silenced_stderr():
        version = mlflow.register_model(uri, REGISTERED_MODEL)
    return str(version.version)


def _run(
    plan: _Plan,
    *,
    address: str | None,
    wait: bool,
    on_event: Callable | None,
    resume_run: Any = None,
    fault: dict | None = None,
    callbacks: list | None = None,
    lineage: dict[str, str] | None = None,
    register: bool = True,
) -> TrainResult:
    from ray.util.queue import Queue

    from emoai_core.base.quiet import quiet_libraries
    from emoai_core.cluster import ray_env
    from emoai_core.tracking.store import client as tracking_client

    quiet_libraries()
    started = time.time()
    cfg = plan.config
    client = tracking_client()
    emit(on_event, Phase("starting Ray"))
    ray_env.connect(address)
    scaling, cpu = _scaling(cfg, wait)
    emit(on_event, Phase("tokenizing"))
    datasets, train_rows, _ = _datasets(plan)
    rows_per_worker = train_rows // cfg.num_workers
    if rows_per_worker == 0:
        raise UsageError(f"{train_rows} training rows cannot feed {cfg.num_workers} workers")
    steps = -(-rows_per_worker // cfg.batch_size)
    if resume_run is None:
        run_id, run_name = _start_run(client, plan, cpu, train_rows, lineage or {})
        resumed_from = 0
    else:
        run_id, run_name = resume_run.info.run_id, resume_run.info.run_name
        resumed_from = last_checkpoint_epoch(run_id)
        client.update_run(run_id, status="RUNNING")
    tracker = _Tracker(client, run_id)
    if resume_run is not None:
        backfill_epochs(client, tracker, run_id)
    emit(
        on_event,
        RunStarted(
            run_id,
            run_name,
            cfg.experiment,
            plan.data.ref,
            cfg.epochs,
            steps,
            cfg.num_workers,
            cpu,
            cfg.gpu_per_worker,
            train_rows,
            resumed_from,
        ),
    )
    queue = Queue(actor_options={"num_cpus": 0})
    trainer = _make_trainer(plan, datasets, scaling, cpu, run_id, queue, steps, fault, callbacks)
    try:
        result = _pump(trainer, queue, tracker, cfg, on_event)
    except KeyboardInterrupt:
        # Only mark the run: the Ctrl-C also reached a local Ray's processes, and shutting Ray down
        # from here can crash in its native threads. Ray's processes share the driver's fate.
        tracker.finish("KILLED")
        raise
    except Exception as exc:
        tracker.finish("FAILED")
        raise EmoaiError(
            f"training failed: {_first_line(exc)}",
            f"fix the cause, then continue from the last checkpoint: emoai train --resume {run_id}",
        ) from exc
    emit(on_event, Phase("registering model"))
    best, best_metrics = _best(result, cfg)
    try:
        version = log_model(run_id, best, plan.labels, cfg, register=register)
    except BaseException:
        tracker.finish("FAILED")
        raise
    tracker.finish("FINISHED")
    history = tracker.history or [dict(result.metrics or {})]
    return TrainResult(
        run_id=run_id,
        run_name=run_name,
        experiment=cfg.experiment,
        data=plan.data.ref,
        metrics=dict(result.metrics or {}),
        best_epoch=int(best_metrics.get("epoch", 0)),
        best_metrics=best_metrics,
        model_version=version,
        checkpoint=best.path if best is not None else None,
        seconds=time.time() - started,
        history=history,
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _checkpoint_snapshot(run_id: str) -> dict[str, Any]:
    snapshot = load_settings().ray_storage / ray_run_name(run_id) / "checkpoint_manager_snapshot.json"
    try:
        return json.loads(snapshot.read_text())
    except (OSError, ValueError):
        return {}


def last_checkpoint_epoch(run_id: str) -> int:
    """The epoch of the latest checkpoint Ray Train persisted for this run (0: none)."""
    latest = _checkpoint_snapshot(run_id).get("latest_checkpoint_result") or {}
    return int(latest.get("metrics", {}).get("epoch", 0))


def checkpointed_metrics(run_id: str) -> list[dict[str, Any]]:
    """The metrics reported with each checkpoint Ray Train still keeps for this run, by epoch."""
    snapshot = _checkpoint_snapshot(run_id)
    results = [*(snapshot.get("checkpoint_results") or []), snapshot.get("latest_checkpoint_result") or {}]
    by_epoch = {
        int(r["metrics"]["epoch"]): r["metrics"] for r in results if r.get("metrics", {}).get("epoch")
    }
    return [by_epoch[e] for e in sorted(by_epoch)]


def backfill_epochs(client: Any, tracker: _Tracker, run_id: str) -> list[int]:
    """Log the epochs whose checkpoint was persisted but whose metrics never reached MLflow.

    Ctrl-C can land between Ray Train persisting an epoch's checkpoint and the driver logging
    that epoch: the resumed run starts after it, so without this its metrics would be missing.
    """
    logged = {int(m.step) for m in client.get_metric_history(run_id, "val_loss")}
    missing = [m for m in checkpointed_metrics(run_id) if int(m["epoch"]) not in logged]
    for metrics in missing:
        tracker.log_epoch(metrics)
    return [int(m["epoch"]) for m in missing]


def train(
    config: TrainConfig,
    *,
    address: str | None = None,
    wait: bool = False,
    on_event: Callable | None = None,
    fault: dict | None = None,
    callbacks: list | None = None,
    parent_run_id: str | None = None,
    kind: str = "train",
    register: bool = True,
) -> TrainResult:
    """Fine-tune a classifier as `config` says; returns the finished run.

    `callbacks` are extra Ray Train callbacks (tune passes `TuneReportCallback`); `parent_run_id`
    and `kind` nest the MLflow run under a study; `register=False` logs the model without
    registering it (a study registers only its best trial, with `register_run_model`).
    """
    plan = _plan(config, on_event)
    lineage = {"emoai.kind": kind}
    if parent_run_id:
        lineage["mlflow.parentRunId"] = parent_run_id
    return _run(
        plan,
        address=address,
        wait=wait,
        on_event=on_event,
        fault=fault,
        callbacks=callbacks,
        lineage=lineage,
        register=register,
    )


def resume(
    ref: str, *, address: str | None = None, wait: bool = False, on_event: Callable | None = None
) -> TrainResult:
    """Continue an interrupted or failed run from its last checkpoint, in the same MLflow run."""
    from emoai_core.tracking.runs import resolve_run
    from emoai_core.tracking.store import client as tracking_client

    run = resolve_run(ref, client=tracking_client())
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
    plan = _plan(config, on_event)
    return _run(plan, address=address, wait=wait, on_event=on_event, resume_run=run)


def checkpoint_path_for(run_id: str) -> Path:
    return load_settings().ray_storage / ray_run_name(run_id)
