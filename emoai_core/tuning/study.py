"""`emoai tune`: a Ray Tune study over `emoai train`'s own training code.

Ray 2.60 pattern: each trial is a function that runs `training.run.train` (which builds and fits
a TorchTrainer) with `TuneReportCallback`, so per-epoch reports reach Tune and ASHA can stop bad
trials early. MLflow gets one parent run for the study and one child run per trial; only the
best trial's model is registered.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emoai_core.base import threads
from emoai_core.base.errors import EmoaiError
from emoai_core.base.events import emit
from emoai_core.base.interrupts import deferred_sigint
from emoai_core.base.settings import DEFAULT_BASE_MODEL, load_settings, tune_run_name
from emoai_core.training.config import TrainConfig
from emoai_core.tuning.options import (
    StudyStarted,
    TrialsUpdate,
    TuneOptions,
    TuneResult,
    check_metric,
    check_options,
)
from emoai_core.tuning.space import SearchSpace
from emoai_core.tuning.trials import finish_trials, run_trial, trial_cpus, trial_rows

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from ray.tune import Tuner

# A trial's own actor only drives its TorchTrainer: it must not hold a CPU the trial's workers need.
# Ray refuses an all-zero request, so it asks for a token amount of memory instead.
TRIAL_DRIVER_RESOURCES = {"memory": 1_000_000}
POLL_SECONDS = 2.0


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


def _start_parent(
    client: MlflowClient, fixed: TrainConfig, space: SearchSpace, opts: TuneOptions, data_ref: str, cpu: float
) -> tuple[str, str]:
    from emoai_core.tracking.store import create_run

    tags = {
        "emoai.kind": "tune",
        "emoai.data": data_ref,
        "emoai.base_model": fixed.model or DEFAULT_BASE_MODEL,
        "emoai.total_epochs": str(fixed.epochs),
    }
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
    return create_run(client, fixed.experiment, fixed.run_name, tags, params)


def _tuner(base: dict[str, Any], parent: str, space: SearchSpace, opts: TuneOptions, concurrent: int, epochs: int) -> Tuner:
    from ray import tune as ray_tune

    from emoai_core.storage.runs import ray_storage

    settings = load_settings()
    env = {"EMOAI_HOME": str(settings.home), "EMOAI_TRACKING_URI": settings.tracking_uri}
    if settings.storage:
        env["EMOAI_STORAGE"] = settings.storage
    storage_path, filesystem = ray_storage()
    trainable = ray_tune.with_parameters(run_trial, base=base, parent=parent, env=env)
    return ray_tune.Tuner(
        ray_tune.with_resources(trainable, TRIAL_DRIVER_RESOURCES),
        param_space=space.to_tune(),
        tune_config=ray_tune.TuneConfig(
            num_samples=opts.num_trials,
            max_concurrent_trials=concurrent,
            search_alg=_searcher(opts),
            scheduler=_scheduler(opts, epochs),
            metric=opts.metric,
            mode=opts.mode,
        ),
        run_config=ray_tune.RunConfig(
            name=tune_run_name(parent), storage_path=storage_path, storage_filesystem=filesystem, verbose=0
        ),
    )


def _fit_quietly(tuner: Tuner) -> Any:
    # Tune prints its own experiment tables on stdout; stdout is for emoai's data (--json)
    with contextlib.redirect_stdout(sys.stderr):
        return tuner.fit()


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
    from emoai_core.base.quiet import quiet_libraries
    from emoai_core.cluster import ray_env
    from emoai_core.tracking.store import client as tracking_client
    from emoai_core.training.plan import plan_run

    check_options(opts)
    plan = plan_run(fixed, on_event)
    check_metric(opts.metric, opts.mode, plan.labels)
    quiet_libraries()
    started = time.time()
    client = tracking_client(write=True)
    ray_env.connect(address)
    concurrent = min(opts.max_concurrent, opts.num_trials)
    cpu = trial_cpus(fixed, concurrent, wait)
    base = {**plan.config.model_dump(), "cpu_per_worker": cpu}
    parent, parent_name = _start_parent(client, plan.config, space, opts, plan.config.data or plan.data.ref, cpu)
    emit(on_event, StudyStarted(parent, parent_name, opts.num_trials, concurrent, cpu, space.describe()))
    tuner = _tuner(base, parent, space, opts, concurrent, fixed.epochs)
    thread, outcome = threads.start(lambda: _fit_quietly(tuner), "emoai-tune")
    try:
        while thread.is_alive():
            with deferred_sigint():  # a Ctrl-C inside an MLflow read would surface as a store error
                rows = trial_rows(client, parent, space, opts.metric, opts.mode)
            emit(on_event, TrialsUpdate(rows, max(0, opts.num_trials - len(rows)), opts.metric))
            thread.join(POLL_SECONDS)
    except KeyboardInterrupt:
        with deferred_sigint():
            finish_trials(client, parent, "KILLED")
            client.set_terminated(parent, status="KILLED")
        raise  # Ray is left to the caller: shutting it down after a terminal Ctrl-C can crash
    if outcome.error is not None:
        finish_trials(client, parent, "FAILED")
        client.set_terminated(parent, status="FAILED")
        raise EmoaiError(f"tuning failed: {str(outcome.error).splitlines()[0][:300]}")
    finish_trials(client, parent, "KILLED")
    try:
        return _conclude(client, parent, parent_name, space, opts, started)
    except KeyboardInterrupt:
        with deferred_sigint():
            client.set_terminated(parent, status="KILLED")  # the study says what happened to it
        raise


def _conclude(
    client: MlflowClient, parent: str, parent_name: str, space: SearchSpace, opts: TuneOptions, started: float
) -> TuneResult:
    from mlflow.entities import Metric

    from emoai_core.tracking.registry import has_logged_model, register_run_model

    rows = trial_rows(client, parent, space, opts.metric, opts.mode)
    scored = [r for r in rows if r.best is not None and has_logged_model(client, r.run_id)]
    best = (max if opts.mode == "max" else min)(scored, key=lambda r: r.best) if scored else None
    version, promoted = None, False
    if best is not None:
        with deferred_sigint():  # the best trial is registered and named by the study together
            version = register_run_model(client, best.run_id)
            client.set_tag(parent, "emoai.best_run", best.run_id)
            client.log_batch(
                parent, metrics=[Metric(f"best_{opts.metric}", float(best.best), int(time.time() * 1000), 0)]
            )
            for key, value in best.params.items():
                client.set_tag(parent, f"emoai.best.{key}", value)
        if opts.promote:
            from emoai_core.tracking.promote import promote_run

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
