"""MLflow runs as emoai sees them: find, list, show, compare, promote, delete, stop.

A run reference is a full id, a unique id prefix, a run name, or `@alias` (an alias of the
registered model). Everything here works on any tracking store.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emoai_core.base.errors import NotFoundError, UsageError, close_matches
from emoai_core.base.settings import DEFAULT_ALIAS, REGISTERED_MODEL, load_settings

EPOCH_METRICS = ("train_loss", "val_loss", "val_accuracy", "val_macro_f1")
MAX_RUNS = 5000


def _client(client: Any = None) -> Any:
    if client is not None:
        return client
    from emoai_core.tracking.store import client as tracking_client

    return tracking_client()


def _experiment_ids(client: Any) -> list[str]:
    return [e.experiment_id for e in client.search_experiments()]


def all_runs(
    client: Any = None, experiment: str | None = None, filter_string: str = "", max_results: int = MAX_RUNS
) -> list[Any]:
    """Runs newest first, in one experiment or all of them."""
    client = _client(client)
    if experiment:
        exp = client.get_experiment_by_name(experiment)
        if exp is None:
            names = [e.name for e in client.search_experiments()]
            raise NotFoundError(
                f"no experiment named '{experiment}'", matches=close_matches(experiment, names)
            )
        ids = [exp.experiment_id]
    else:
        ids = _experiment_ids(client)
    if not ids:
        return []
    return list(
        client.search_runs(
            ids, filter_string=filter_string, max_results=max_results, order_by=["attributes.start_time DESC"]
        )
    )


def resolve_run(ref: str, client: Any = None) -> Any:
    """The MLflow run a user means by `ref` (id, id prefix, run name, or @alias)."""
    client = _client(client)
    ref = ref.strip()
    if not ref:
        raise UsageError("empty run reference", "pass a run id, id prefix, run name or @alias")
    if ref.startswith("@"):
        return client.get_run(_version_for_alias(client, ref[1:]).run_id)
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


def _version_for_alias(client: Any, alias: str) -> Any:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(REGISTERED_MODEL, alias)
    except MlflowException:
        known = _aliases(client)
        if not known:
            raise NotFoundError(
                f"no model has the alias '{alias}' yet",
                f"promote a run first: emoai runs promote <run> --alias {alias}",
            ) from None
        raise NotFoundError(
            f"no model has the alias '{alias}'", matches=close_matches(alias, list(known))
        ) from None


def _aliases(client: Any) -> dict[str, str]:
    """alias -> version of the registered model (empty when nothing is registered)."""
    from mlflow.exceptions import MlflowException

    try:
        model = client.get_registered_model(REGISTERED_MODEL)
    except MlflowException:
        return {}
    return dict(getattr(model, "aliases", {}) or {})


def versions_by_run(client: Any) -> dict[str, list[Any]]:
    """run id -> registered model versions logged by that run."""
    from mlflow.exceptions import MlflowException

    try:
        versions = client.search_model_versions(f"name='{REGISTERED_MODEL}'")
    except MlflowException:
        return {}
    out: dict[str, list[Any]] = {}
    for v in versions:
        out.setdefault(v.run_id, []).append(v)
    return out


@dataclass
class RunRow:
    """One line of `emoai runs list`."""

    run_id: str
    name: str
    status: str
    kind: str
    parent: str | None
    started: float | None
    duration: float | None
    data: str | None
    base_model: str | None
    epoch: int | None
    epochs: int | None
    best_val_accuracy: float | None
    best_val_macro_f1: float | None
    version: str | None
    aliases: list[str]
    experiment_id: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _row(run: Any, versions: dict[str, list[Any]], aliases: dict[str, str]) -> RunRow:
    info, data = run.info, run.data
    metrics, tags = data.metrics, data.tags
    end = info.end_time or (None if info.status == "RUNNING" else info.start_time)
    import time

    duration = ((end or time.time() * 1000) - info.start_time) / 1000 if info.start_time else None
    run_versions = versions.get(info.run_id, [])
    numbers = {str(v.version) for v in run_versions}
    version = max(numbers, key=int) if numbers else None
    total = tags.get("emoai.total_epochs") or data.params.get("epochs")
    return RunRow(
        run_id=info.run_id,
        name=info.run_name,
        status=info.status,
        kind=tags.get("emoai.kind", "run"),
        parent=tags.get("mlflow.parentRunId"),
        started=info.start_time / 1000 if info.start_time else None,
        duration=duration,
        data=tags.get("emoai.data"),
        base_model=tags.get("emoai.base_model"),
        epoch=int(metrics["epoch"]) if "epoch" in metrics else None,
        epochs=int(total) if total else None,
        best_val_accuracy=metrics.get("best_val_accuracy", metrics.get("val_accuracy")),
        best_val_macro_f1=metrics.get("best_val_macro_f1", metrics.get("val_macro_f1")),
        version=version,
        aliases=sorted(a for a, v in aliases.items() if str(v) in numbers),
        experiment_id=info.experiment_id,
    )


def list_runs(
    experiment: str | None = None, status: str | None = None, limit: int = 50, client: Any = None
) -> list[RunRow]:
    client = _client(client)
    filter_string = ""
    if status:
        status = status.upper()
        valid = {"RUNNING", "FINISHED", "FAILED", "KILLED", "SCHEDULED"}
        if status not in valid:
            raise UsageError(f"unknown status '{status}'", f"use one of: {', '.join(sorted(valid))}")
        filter_string = f"attributes.status = '{status}'"
    runs = all_runs(client, experiment, filter_string, max_results=limit)
    versions, aliases = versions_by_run(client), _aliases(client)
    return [_row(r, versions, aliases) for r in runs]


def metric_history(client: Any, run_id: str, keys: tuple[str, ...] = EPOCH_METRICS) -> dict[str, list]:
    """Per-epoch history: {metric: [(epoch, value), ...]} (the last value logged for each epoch)."""
    history: dict[str, list] = {}
    for key in keys:
        by_step: dict[int, float] = {}
        for m in sorted(client.get_metric_history(run_id, key), key=lambda m: m.timestamp):
            by_step[int(m.step)] = m.value
        if by_step:
            history[key] = sorted(by_step.items())
    return history


def show_run(ref: str, client: Any = None) -> dict[str, Any]:
    """Everything about one run: params, metrics, per-epoch history, artifacts, tags, registered version."""
    client = _client(client)
    run = resolve_run(ref, client)
    run_id = run.info.run_id
    row = _row(run, versions_by_run(client), _aliases(client))
    return {
        **row.to_json(),
        "params": dict(run.data.params),
        "metrics": dict(run.data.metrics),
        "history": metric_history(client, run_id),
        "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.log-model")},
        "artifacts": [a.path for a in client.list_artifacts(run_id)],
        "artifact_uri": run.info.artifact_uri,
        "checkpoints": str(load_settings().ray_storage / f"emoai-{run_id}"),
    }


def best_run(
    metric: str = "best_val_macro_f1", mode: str = "max", experiment: str | None = None, client: Any = None
) -> Any:
    """The finished run with the best value of `metric`."""
    client = _client(client)
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


def compare_runs(refs: list[str], client: Any = None) -> dict[str, Any]:
    """Params and metrics of several runs side by side, with the keys whose values differ."""
    client = _client(client)
    if len(refs) < 2:
        raise UsageError("compare needs at least two runs")
    runs = [resolve_run(r, client) for r in refs]
    params = sorted({k for r in runs for k in r.data.params})
    metrics = sorted({k for r in runs for k in r.data.metrics})

    def table(keys: list[str], getter: Any) -> dict[str, list]:
        return {k: [getter(r).get(k) for r in runs] for k in keys}

    p = table(params, lambda r: r.data.params)
    m = table(metrics, lambda r: r.data.metrics)
    return {
        "runs": [{"run_id": r.info.run_id, "name": r.info.run_name, "status": r.info.status} for r in runs],
        "params": p,
        "metrics": m,
        "different": sorted(k for k, vs in {**p, **m}.items() if len({str(v) for v in vs}) > 1),
    }


def model_version_for_run(client: Any, run_id: str) -> Any:
    versions = versions_by_run(client).get(run_id, [])
    if not versions:
        raise NotFoundError(
            f"run {run_id} has no registered model",
            "only finished training runs register a model; see 'emoai runs list'",
        )
    return max(versions, key=lambda v: int(v.version))


def model_cache_dir(run_id: str) -> Path:
    return load_settings().home / "cache" / "models" / run_id


def resolve_model_dir(ref: str, client: Any = None) -> Path:
    """A local Hugging Face model folder (+ labels.json) for a run reference, downloaded once."""
    client = _client(client)
    run = resolve_run(ref, client)
    return download_model(client, run.info.run_id)


def download_model(client: Any, run_id: str) -> Path:
    """Assemble the registered model of `run_id` as a plain HF folder in the local cache."""
    target = model_cache_dir(run_id)
    if (target / "config.json").is_file():
        return target
    version = model_version_for_run(client, run_id)
    import mlflow

    from emoai_core.base.atomic import atomic_dir
    from emoai_core.model.classifier import labels_of_model_dir

    with atomic_dir(target) as tmp:
        raw = Path(mlflow.artifacts.download_artifacts(version.source, dst_path=str(tmp / "raw")))
        for sub in ("model", "components/tokenizer"):
            for f in (raw / sub).glob("*") if (raw / sub).is_dir() else []:
                shutil.copy2(f, tmp / f.name)
        shutil.rmtree(tmp / "raw")
        labels_of_model_dir(tmp).save(tmp)
    return target


@dataclass
class PromoteResult:
    run_id: str
    version: str
    alias: str
    local_copy: Path


def promote_run(ref: str, alias: str = DEFAULT_ALIAS, client: Any = None) -> PromoteResult:
    """Point `alias` at the run's registered version and write the fast local copy of that model."""
    client = _client(client)
    _check_alias(alias)
    run = resolve_run(ref, client)
    run_id = run.info.run_id
    version = model_version_for_run(client, run_id)
    hf_dir = download_model(client, run_id)
    local = write_local_copy(hf_dir, alias, run, str(version.version))
    client.set_registered_model_alias(REGISTERED_MODEL, alias, version.version)
    return PromoteResult(run_id, str(version.version), alias, local)


def _check_alias(alias: str) -> None:
    import re

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,62}", alias) or re.fullmatch(r"[vV]\d+", alias):
        raise UsageError(f"invalid alias '{alias}'", "use letters, digits, '-' and '_' (not v<number>)")


def local_copy_dir(alias: str) -> Path:
    return load_settings().models_dir / alias


def write_local_copy(hf_dir: Path, alias: str, run: Any, version: str) -> Path:
    """The promoted model's fast-loading copy (ONNX + tokenizer + labels) under EMOAI_HOME/models/<alias>/."""
    from emoai_core.model.export import build_local_copy

    metrics = {k: v for k, v in run.data.metrics.items() if k.startswith(("val_", "test_", "best_"))}
    meta = {
        "run_id": run.info.run_id,
        "run_name": run.info.run_name,
        "version": version,
        "alias": alias,
        "metrics": metrics,
        "max_length": int(run.data.params.get("max_length") or 128),
        "data": run.data.tags.get("emoai.data"),
    }
    return build_local_copy(hf_dir, local_copy_dir(alias), meta)


def delete_run(ref: str, client: Any = None) -> dict[str, Any]:
    """Delete a run, its registered versions, its checkpoints and any local copy made from it."""
    client = _client(client)
    run = resolve_run(ref, client)
    run_id = run.info.run_id
    if run.info.status == "RUNNING":
        raise UsageError(f"run {run_id} is still running", f"stop it first: emoai runs stop {run_id}")
    removed_versions = []
    for v in versions_by_run(client).get(run_id, []):
        client.delete_model_version(REGISTERED_MODEL, v.version)
        removed_versions.append(str(v.version))
    client.delete_run(run_id)
    shutil.rmtree(load_settings().ray_storage / f"emoai-{run_id}", ignore_errors=True)
    shutil.rmtree(model_cache_dir(run_id), ignore_errors=True)
    removed_copies = _remove_local_copies(run_id)
    return {"run_id": run_id, "versions": removed_versions, "local_copies": removed_copies}


def _remove_local_copies(run_id: str) -> list[str]:
    import json

    removed = []
    models = load_settings().models_dir
    for meta in models.glob("*/meta.json") if models.is_dir() else []:
        try:
            owner = json.loads(meta.read_text()).get("run_id")
        except (OSError, ValueError):
            continue
        if owner == run_id:
            shutil.rmtree(meta.parent, ignore_errors=True)
            removed.append(meta.parent.name)
    return removed


def stop_run(ref: str, client: Any = None) -> str:
    """Ask a running training run to stop cleanly (it marks itself KILLED, keeping its checkpoints)."""
    client = _client(client)
    run = resolve_run(ref, client)
    tags = run.data.tags
    if run.info.status != "RUNNING":
        raise UsageError(f"run {run.info.run_id} is not running (status {run.info.status})")
    job_id = tags.get("emoai.ray_job_id")
    if job_id:
        from emoai_core.cluster.jobs import stop_job

        stop_job(job_id, tags.get("emoai.ray_address"))
        return f"asked Ray to stop job {job_id}"
    pid, host = tags.get("emoai.pid"), tags.get("emoai.host")
    if not pid or host != socket.gethostname():
        raise UsageError(f"run {run.info.run_id} runs elsewhere ({host or 'unknown host'}); stop it there")
    try:
        os.kill(int(pid), signal.SIGINT)
    except ProcessLookupError:
        client.set_terminated(run.info.run_id, status="KILLED")
        return f"process {pid} was gone; marked the run KILLED"
    return f"sent Ctrl-C to the training process {pid}"


def mlflow_ui_command(host: str = "127.0.0.1", port: int = 5000) -> list[str]:
    """The `mlflow ui` command for the configured store (artifacts stay where runs logged them)."""
    import sys

    uri = load_settings().tracking_uri
    return [
        sys.executable,
        "-m",
        "mlflow",
        "ui",
        "--backend-store-uri",
        uri,
        "--host",
        host,
        "--port",
        str(port),
    ]
