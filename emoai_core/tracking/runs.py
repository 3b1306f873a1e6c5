"""Finding MLflow runs the way users name them: a full id, a unique id prefix, a run name, or `@alias`.

Everything here works on any tracking store; `best_run` and `compare_runs` answer `emoai runs best`
and `emoai runs compare`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emoai_core.base.errors import NotFoundError, UsageError, close_matches
from emoai_core.tracking.registry import version_for_alias

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Run

MAX_RUNS = 5000


def default_client(client: MlflowClient | None = None) -> MlflowClient:
    if client is not None:
        return client
    from emoai_core.tracking.store import client as tracking_client

    return tracking_client()


def all_runs(
    client: MlflowClient | None = None,
    experiment: str | None = None,
    filter_string: str = "",
    max_results: int = MAX_RUNS,
) -> list[Run]:
    """Runs newest first, in one experiment or all of them."""
    client = default_client(client)
    if experiment:
        exp = client.get_experiment_by_name(experiment)
        if exp is None:
            names = [e.name for e in client.search_experiments()]
            raise NotFoundError(
                f"no experiment named '{experiment}'", matches=close_matches(experiment, names)
            )
        ids = [exp.experiment_id]
    else:
        ids = [e.experiment_id for e in client.search_experiments()]
    if not ids:
        return []
    return list(
        client.search_runs(
            ids, filter_string=filter_string, max_results=max_results, order_by=["attributes.start_time DESC"]
        )
    )


def resolve_run(ref: str, client: MlflowClient | None = None) -> Run:
    """The MLflow run a user means by `ref` (id, id prefix, run name, or @alias)."""
    client = default_client(client)
    ref = ref.strip()
    if not ref:
        raise UsageError("empty run reference", "pass a run id, id prefix, run name or @alias")
    if ref.startswith("@"):
        return client.get_run(version_for_alias(client, ref[1:]).run_id)
    runs = all_runs(client)
    exact = [r for r in runs if r.info.run_id == ref]
    if exact:
        return exact[0]
    by_name = [r for r in runs if r.info.run_name == ref]
    by_prefix = [r for r in runs if r.info.run_id.startswith(ref)]
    matches = by_name or by_prefix
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listed = ", ".join(f"{r.info.run_id[:8]} ({r.info.run_name})" for r in matches[:5])
        raise UsageError(f"run reference '{ref}' is ambiguous: {listed}", "use a longer id prefix")
    candidates = [r.info.run_name for r in runs] + [r.info.run_id for r in runs]
    hint = None if runs else "no runs yet: start one with 'emoai train'"
    raise NotFoundError(f"no run matches '{ref}'", hint=hint, matches=close_matches(ref, candidates))


def child_runs(client: MlflowClient, parent: str) -> list[Run]:
    """The runs nested under `parent` (a study's trials), oldest first."""
    experiment_ids = [e.experiment_id for e in client.search_experiments()]
    return list(
        client.search_runs(
            experiment_ids,
            filter_string=f"tags.mlflow.parentRunId = '{parent}'",
            order_by=["attributes.start_time ASC"],
        )
    )


def best_run(
    metric: str = "best_val_macro_f1",
    mode: str = "max",
    experiment: str | None = None,
    client: MlflowClient | None = None,
) -> Run:
    """The finished run with the best value of `metric`."""
    client = default_client(client)
    if mode not in ("max", "min"):
        raise UsageError(f"unknown mode '{mode}'", "use max or min")
    runs = [
        r for r in all_runs(client, experiment, "attributes.status = 'FINISHED'") if metric in r.data.metrics
    ]
    if not runs:
        raise NotFoundError(
            f"no finished run has the metric '{metric}'",
            hint="train one with 'emoai train', or pick another --metric",
        )
    pick = max if mode == "max" else min
    return pick(runs, key=lambda r: r.data.metrics[metric])


def compare_runs(
    refs: list[str], client: MlflowClient | None = None, metrics: list[str] | None = None
) -> dict[str, Any]:
    """Params and metrics of several runs side by side, with the keys whose values differ.

    `metrics`: glob patterns (`eval_*`, `*_macro_f1`); only the metrics matching one are kept, and
    no params.
    """
    from fnmatch import fnmatchcase

    client = default_client(client)
    if len(refs) < 2:
        raise UsageError("compare needs at least two runs")
    runs = [resolve_run(r, client) for r in refs]
    params = [] if metrics is not None else sorted({k for r in runs for k in r.data.params})
    names = sorted({k for r in runs for k in r.data.metrics})
    if metrics is not None:
        names = [k for k in names if any(fnmatchcase(k, pattern) for pattern in metrics)]
    p = {k: [r.data.params.get(k) for r in runs] for k in params}
    m = {k: [r.data.metrics.get(k) for r in runs] for k in names}
    return {
        "runs": [{"run_id": r.info.run_id, "name": r.info.run_name, "status": r.info.status} for r in runs],
        "params": p,
        "metrics": m,
        "different": sorted(k for k, vs in {**p, **m}.items() if len({str(v) for v in vs}) > 1),
    } | ({"metric_patterns": metrics} if metrics is not None else {})
