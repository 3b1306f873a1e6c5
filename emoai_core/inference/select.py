"""Which model a command means: `--model-dir`, `--run`, or an alias (default `production`).

An alias is answered from its local copy under EMOAI_HOME/models/ without importing MLflow — the
fast path of `emoai predict`; only when there is no local copy do we ask the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from emoai_core.base.errors import NotFoundError, UsageError
from emoai_core.base.settings import DEFAULT_ALIAS, paths
from emoai_core.model.bundle import read_meta
from emoai_core.tracking.local_models import local_copy


@dataclass(frozen=True)
class ModelChoice:
    path: Path
    description: str
    run_id: str | None = None


def _from_local_copy(folder: Path, alias: str) -> ModelChoice:
    meta = read_meta(folder)
    version = f" v{meta['version']}" if meta.get("version") else ""
    return ModelChoice(folder, f"@{alias}{version} (run {meta.get('run_id', '?')[:8]})", meta.get("run_id"))


def from_alias(alias: str) -> ModelChoice:
    folder = local_copy(alias)
    if folder is not None:
        return _from_local_copy(folder, alias)
    from emoai_core.tracking.promote import promote_run
    from emoai_core.tracking.runs import resolve_run

    try:
        run = resolve_run(f"@{alias}")
    except NotFoundError as exc:
        if alias == DEFAULT_ALIAS:
            raise NotFoundError(
                "no promoted model yet", "train a model, then promote it: emoai runs promote <run>"
            ) from None
        raise exc
    promote_run(run.info.run_id, alias)  # rebuild the missing local copy from the registry
    return _from_local_copy(paths().local_copy(alias), alias)


def from_run(ref: str) -> ModelChoice:
    from emoai_core.tracking.local_models import resolve_model_dir
    from emoai_core.tracking.runs import resolve_run

    run = resolve_run(ref)
    return ModelChoice(
        resolve_model_dir(run.info.run_id),
        f"run {run.info.run_id[:8]} ({run.info.run_name})",
        run.info.run_id,
    )


def choose(model_dir: Path | None = None, run: str | None = None, alias: str | None = None) -> ModelChoice:
    """Exactly one of the three; none given means the default alias."""
    given = [x for x in (model_dir, run, alias) if x]
    if len(given) > 1:
        raise UsageError("pass only one of --model-dir, --run and --alias")
    if model_dir:
        path = Path(model_dir).expanduser()
        if not path.is_dir():
            raise UsageError(f"model folder not found: {model_dir}")
        return ModelChoice(path, str(path))
    if run:
        return from_alias(run[1:]) if run.startswith("@") else from_run(run)
    return from_alias(alias or DEFAULT_ALIAS)


def default_for_eval() -> ModelChoice:
    """`@production` when there is one, else the best finished run."""
    try:
        return from_alias(DEFAULT_ALIAS)
    except NotFoundError:
        pass
    from emoai_core.tracking.runs import best_run

    try:
        best = best_run()
    except NotFoundError:
        raise NotFoundError("no trained model to evaluate", "train one first: emoai train") from None
    return from_run(best.info.run_id)
