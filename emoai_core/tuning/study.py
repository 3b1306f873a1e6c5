"""`emoai tune`: a Ray Tune study over `emoai train`'s own training code.

Ray 2.60 pattern: each trial is a function that runs `emoai_core.training.run.train` (which builds and
fits a TorchTrainer) with `TuneReportCallback`, so per-epoch reports reach Tune and ASHA can stop
bad trials early. MLflow gets one parent run for the study and one child run per trial; only the
best trial's model is registered.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emoai_core.base.errors import EmoaiError, UsageError
from emoai_core.base.events import emit
from emoai_core.base.interrupts import deferred_sigint
from emoai_core.base.settings import DEFAULT_BASE_MODEL, load_settings
from emoai_core.training.config import TrainConfig
from emoai_core.tuning.space import SearchSpace

METRICS = ("val_macro_f1", "val_accuracy", "val_loss", "train_loss")
# A trial's own actor only drives its TorchTrainer: it must not hold a CPU the trial's workers need.
# Ray refuses an all-zero request, so it asks for a token amount of memory instead.
TRIAL_DRIVER_RESOURCES = {"memory": 1_000_000}
POLL_SECONDS = 2.0


@dataclass
class TuneOptions:
    num_trials: int = 4
    max_concurrent: int = 2
    search: str = "random"
    scheduler: str = "asha"
    metric: str = "val_macro_f1"
    mode: str = "max"
    promote: bool = False
    seed: int = 0


@dataclass(frozen=True)
class TrialRow:
    run_id: str
    name: str
    status: str
    params: dict[str, str]
    epoch: int
    metric: float | None
    best: float | None


@dataclass(frozen=True)
class StudyStarted:
    run_id: str
    run_name: str
    num_trials: int
    max_concurrent: int
    cpu_per_worker: float
    space: dict[str, str]


@dataclass(frozen=True)
class TrialsUpdate:
    trials: list[TrialRow]
    pending: int
    metric: str


@dataclass
class TuneResult:
    run_id: str
    run_name: str
    metric: str
    mode: str
    best_run_id: str | None
    best_value: float | None
    best_params: dict[str, Any]
    version: str | None
    promoted: bool
    trials: list[TrialRow] = field(default_factory=list)
    seconds: float = 0.0


def check_metric(metric: str, mode: str, labels: list[str]) -> None:
    known = [*METRICS, *(f"val_f1_{n}" for n in labels)]
    if metric not in known:
        from emoai_core.base.errors import close_matches

        near = close_matches(metric, known)
        raise UsageError(
            f"training does not report a metric named '{metric}'"
            + (f" (did you mean {near[0]}?)" if near else ""),
            f"metrics: {', '.join(known)}",
        )
    if mode not in ("max", "min"):
        raise UsageError(f"unknown mode '{mode}'", "use --mode max or --mode min")


def check_options(opts: TuneOptions) -> None:
    if opts.num_trials < 1 or opts.max_concurrent < 1:
        raise UsageError("--num-trials and --max-concurrent must be at least 1")
    if opts.search not in ("random", "optuna"):
        raise UsageError(f"unknown search '{opts.search}'", "use --search random or --search optuna")
    if opts.scheduler not in ("asha", "fifo"):
        raise UsageError(f"unknown scheduler '{opts.scheduler}'", "use --scheduler asha or --scheduler fifo")


def trial_cpus(fixed: TrainConfig, concurrent: int, wait: bool) -> float:
    """CPUs per worker so that `concurrent` trials × workers fit the cluster at once."""
    from emoai_core.cluster import ray_env

    nodes = ray_env.alive_nodes()
    largest = max((n.cpu for n in nodes), default=0.0)
    total = sum(n.cpu for n in nodes)
    cpu = fixed.cpu_per_worker or float(
        max(1, min(math.floor(largest), math.floor(total / (concurrent * fixed.num_workers))))
    )
    if not wait:
        slots = ray_env.workers_that_fit(nodes, cpu, fixed.gpu_per_worker)
        need = concurrent * fixed.num_workers
        if slots < need:
            raise UsageError(
                f"{concurrent} concurrent trial(s) × {fixed.num_workers} worker(s) × {cpu:g} CPU need {need} worker "
                f"slots, but the cluster has {slots} ({total:g} CPUs)",
                "lower --max-concurrent, --num-workers or --cpu-per-worker, or pass --wait if the cluster autoscales",
            )
    return cpu


def _trial(sampled: dict[str, Any], base: dict[str, Any], parent: str, env: dict[str, str]) -> None:
    """One trial: the whole `emoai train` path as a child MLflow run, reporting to Tune each epoch."""
    os.environ.update(env)
    from ray.tune.integration.ray_train import TuneReportCallback

    from emoai_core.training.run import train

    config = TrainConfig(**{**base, **sampled})
    train(
        config,
        wait=True,
        callbacks=[TuneReportCallback()],
        parent_run_id=parent,
        kind="trial",
        register=False,
    )


def _searcher(opts: TuneOptions) -> Any:
    if opts.search == "optuna":
        from ray.tune.search.optuna import OptunaSearch

        return OptunaSearch(seed=opts.seed)  # metric and mode come from TuneConfig
    return None


def _scheduler(opts: TuneOptions, epochs: int) -> Any:
    if opts.scheduler == "fifo":
        return None
    from ray.tune.schedulers import ASHAScheduler

    # metric and mode come from TuneConfig: Tune refuses them in both places.
    return ASHAScheduler(
        time_attr="epoch",
        # one past the last epoch: a trial that reaches it must finish on its own and log its
        # model; at max_t ASHA would stop it right after its last report, before the model is saved
        max_t=epochs + 1,
        grace_period=1,
        reduction_factor=2,
    )


def _children(client: Any, parent: str) -> list[Any]:
    experiment_ids = [e.experiment_id for e in client.search_experiments()]
    return list(
        client.search_runs(
            experiment_ids,
            filter_string=f"tags.mlflow.parentRunId = '{parent}'",
            order_by=["attributes.start_time ASC"],
        )
    )


def _best_value(client: Any, run_id: str, metric: str, mode: str) -> float | None:
    values = [m.value for m in client.get_metric_history(run_id, metric)]
    if not values:
        return None
    return max(values) if mode == "max" else min(values)


def trial_rows(client: Any, parent: str, space: SearchSpace, metric: str, mode: str) -> list[TrialRow]:
    rows = []
    for run in _children(client, parent):
        params = {k: run.data.params.get(k, "") for k in space.params}
        rows.append(
            TrialRow(
                run.info.run_id,
                run.info.run_name,
                run.info.status,
                params,
                int(run.data.metrics.get("epoch", 0)),
                run.data.metrics.get(metric),
                _best_value(client, run.info.run_id, metric, mode),
            )
        )
    return rows


def _start_parent(
    client: Any, fixed: TrainConfig, space: SearchSpace, opts: TuneOptions, data_ref: str, cpu: float
) -> tuple[str, str]:
    from mlflow.entities import Param

    from emoai_core.tracking.store import ensure_experiment

    experiment_id = ensure_experiment(client, fixed.experiment)
    tags = {
        "emoai.kind": "tune",
        "emoai.data": data_ref,
        "emoai.base_model": fixed.model or DEFAULT_BASE_MODEL,
        "emoai.total_epochs": str(fixed.epochs),
        "emoai.pid": str(os.getpid()),
    }
    run = client.create_run(experiment_id, run_name=fixed.run_name, tags=tags)
    params = {
        "search_space": space.to_json(),
        "num_trials": opts.num_trials,
        "max_concurrent": opts.max_concurrent,
        "search": opts.search,
        "scheduler": opts.scheduler,
        "metric": opts.metric,
        "mode": opts.mode,
        "cpu_per_worker": cpu,
        **{f"fixed.{k}": v for k, v in fixed.as_params().items()},
    }
    client.log_batch(run.info.run_id, params=[Param(k, str(v)[:6000]) for k, v in params.items()])
    return run.info.run_id, run.info.run_name


def _fit_in_thread(tuner: Any) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def fit() -> None:
        import contextlib
        import sys

        try:
            # Tune prints its own experiment tables on stdout; stdout is for emoai's data (--json)
            with contextlib.redirect_stdout(sys.stderr):
                outcome["result"] = tuner.fit()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            outcome["error"] = exc

    thread = threading.Thread(target=fit, name="emoai-tune", daemon=True)
    thread.start()
    return thread, outcome


def _finish_children(client: Any, parent: str, status: str) -> None:
    """Trials Tune stopped early (or Ctrl-C killed) cannot close their own MLflow runs; do it for them.

    ASHA can stop a trial right after an epoch's report reached Tune, before the trial's driver
    logged that epoch: its metrics are taken from the checkpoints Ray Train persisted.
    """
    from emoai_core.training.run import _Tracker, backfill_epochs

    for run in _children(client, parent):
        if run.info.status == "RUNNING":
            backfill_epochs(client, _Tracker(client, run.info.run_id), run.info.run_id)
            client.set_tag(run.info.run_id, "emoai.stopped_early", "true" if status == "KILLED" else "false")
            client.set_terminated(run.info.run_id, status=status)


def tune(
    fixed: TrainConfig,
    space: SearchSpace,
    opts: TuneOptions,
    *,
    address: str | None = None,
    wait: bool = False,
    on_event: Callable | None = None,
) -> TuneResult:
    """Run the study; returns the best trial (registered, and promoted with `opts.promote`)."""
    from ray import tune as ray_tune

    from emoai_core.base.quiet import quiet_libraries
    from emoai_core.cluster import ray_env
    from emoai_core.tracking.store import client as tracking_client
    from emoai_core.training.run import _plan, register_run_model

    check_options(opts)
    plan = _plan(fixed, on_event)
    check_metric(opts.metric, opts.mode, list(plan.labels.names))
    quiet_libraries()
    started = time.time()
    client = tracking_client()
    ray_env.connect(address)
    concurrent = min(opts.max_concurrent, opts.num_trials)
    cpu = trial_cpus(fixed, concurrent, wait)
    base = {**plan.config.model_dump(), "cpu_per_worker": cpu}
    parent, parent_name = _start_parent(client, plan.config, space, opts, plan.data.ref, cpu)
    emit(on_event, StudyStarted(parent, parent_name, opts.num_trials, concurrent, cpu, space.describe()))
    settings = load_settings()
    env = {"EMOAI_HOME": str(settings.home), "EMOAI_TRACKING_URI": settings.tracking_uri}
    trainable = ray_tune.with_parameters(_trial, base=base, parent=parent, env=env)
    tuner = ray_tune.Tuner(
        ray_tune.with_resources(trainable, TRIAL_DRIVER_RESOURCES),
        param_space=space.to_tune(),
        tune_config=ray_tune.TuneConfig(
            num_samples=opts.num_trials,
            max_concurrent_trials=concurrent,
            search_alg=_searcher(opts),
            scheduler=_scheduler(opts, fixed.epochs),
            metric=opts.metric,
            mode=opts.mode,
        ),
        run_config=ray_tune.RunConfig(
            name=f"tune-{parent}", storage_path=str(settings.ray_storage), verbose=0
        ),
    )
    thread, outcome = _fit_in_thread(tuner)
    try:
        while thread.is_alive():
            with deferred_sigint():  # a Ctrl-C inside an MLflow read would surface as a store error
                rows = trial_rows(client, parent, space, opts.metric, opts.mode)
            emit(on_event, TrialsUpdate(rows, max(0, opts.num_trials - len(rows)), opts.metric))
            thread.join(POLL_SECONDS)
    except KeyboardInterrupt:
        with deferred_sigint():
            _finish_children(client, parent, "KILLED")
            client.set_terminated(parent, status="KILLED")
        raise  # Ray is left to the caller: shutting it down after a terminal Ctrl-C can crash
    if "error" in outcome:
        _finish_children(client, parent, "FAILED")
        client.set_terminated(parent, status="FAILED")
        raise EmoaiError(f"tuning failed: {str(outcome['error']).splitlines()[0][:300]}")
    _finish_children(client, parent, "KILLED")
    return _conclude(client, parent, parent_name, space, opts, started, register_run_model)


def _conclude(
    client: Any,
    parent: str,
    parent_name: str,
    space: SearchSpace,
    opts: TuneOptions,
    started: float,
    register: Callable[[str], str],
) -> TuneResult:
    from mlflow.entities import Metric

    rows = trial_rows(client, parent, space, opts.metric, opts.mode)
    scored = [
        r for r in rows if r.best is not None and client.get_run(r.run_id).data.tags.get("emoai.model_uri")
    ]
    best = (max if opts.mode == "max" else min)(scored, key=lambda r: r.best) if scored else None
    version, promoted = None, False
    if best is not None:
        version = register(best.run_id)
        client.set_tag(parent, "emoai.best_run", best.run_id)
        client.log_batch(
            parent, metrics=[Metric(f"best_{opts.metric}", float(best.best), int(time.time() * 1000), 0)]
        )
        for key, value in best.params.items():
            client.set_tag(parent, f"emoai.best.{key}", value)
        if opts.promote:
            from emoai_core.tracking.runs import promote_run

            promote_run(best.run_id)
            promoted = True
    client.set_terminated(parent, status="FINISHED" if best is not None else "FAILED")
    return TuneResult(
        parent,
        parent_name,
        opts.metric,
        opts.mode,
        best.run_id if best else None,
        best.best if best else None,
        dict(best.params) if best else {},
        version,
        promoted,
        rows,
        time.time() - started,
    )
