"""The MLflow store: a client on the configured tracking URI, experiments, and run creation.

Local tracking keeps the sqlite db and the artifacts under EMOAI_HOME, so nothing lands in the
current directory; a tracking server is used as is. Training, tuning and evaluation all create
and write runs through here.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from emoai_core.base.errors import UnreachableError
from emoai_core.base.settings import ensure_service_env, load_settings

if TYPE_CHECKING:
    from mlflow import MlflowClient

T = TypeVar("T")
# what SQL stores (sqlite, postgres, mysql) say when a concurrent writer inserted the same unique row
_CONFLICT_MARKERS = ("integrityerror", "unique constraint", "duplicate key", "duplicate entry")


def client(*, write: bool = False) -> MlflowClient:
    """An MlflowClient on the configured store; the store answers (and takes writes, with `write`) or we raise exit code 3."""
    from emoai_core.tracking import health

    ensure_service_env()
    settings = load_settings()
    if settings.tracking_uri.startswith("sqlite:"):
        health.check_sqlite(settings.tracking_uri, write=write)
    settings.home.mkdir(parents=True, exist_ok=True)
    for name in ("mlflow", "alembic", "mlflow.store.db.utils"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import mlflow

    before = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(settings.tracking_uri)
    # mlflow also exports the URI to the environment; left there it would leak into every Ray
    # process (local clusters, jobs) started later from this process, pointing them at this store
    if before is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = before
    mlflow_client = mlflow.MlflowClient(tracking_uri=settings.tracking_uri)
    if not settings.tracking_uri.startswith("sqlite:"):
        _check_reachable(mlflow_client, settings.tracking_uri)
    return mlflow_client


def _check_reachable(mlflow_client: MlflowClient, uri: str) -> None:
    from emoai_core.tracking.health import quick_failure

    try:
        with quick_failure():
            mlflow_client.search_experiments(max_results=1)
    except Exception as exc:  # noqa: BLE001 - any transport failure means the same thing here
        raise UnreachableError(
            f"MLflow tracking server {uri} is unreachable: {str(exc).splitlines()[0][:200]}",
            "check --tracking-uri / MLFLOW_TRACKING_URI, or unset it to use the local store",
        ) from None


def is_write_conflict(exc: BaseException) -> bool:
    """Whether a store write lost an insert race, so that running it again will succeed."""
    from mlflow.exceptions import MlflowException

    text = str(exc).lower()
    return isinstance(exc, MlflowException) and any(marker in text for marker in _CONFLICT_MARKERS)


def retry_on_conflict(write: Callable[[], T], attempts: int = 3) -> T:
    """Runs a store write again when a concurrent writer inserted the same unique row first.

    MLflow's SQL store looks a dataset (or experiment) up and inserts it when missing; two runs
    doing that at once — the trials of a study, two `emoai train` on one experiment — race, and
    the loser's transaction is rolled back whole. Run again, the lookup finds the winner's row.
    """
    for _ in range(attempts - 1):
        try:
            return write()
        except Exception as exc:
            if not is_write_conflict(exc):
                raise
    return write()


def ensure_experiment(mlflow_client: MlflowClient, name: str) -> str:
    """The experiment's id, creating it (with artifacts under EMOAI_HOME when local)."""
    return retry_on_conflict(lambda: _get_or_create_experiment(mlflow_client, name))


def _get_or_create_experiment(mlflow_client: MlflowClient, name: str) -> str:
    experiment = mlflow_client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    settings = load_settings()
    location = None
    if settings.tracking_uri.startswith("sqlite:"):
        location = (settings.paths.artifacts / name).as_uri()
    return mlflow_client.create_experiment(name, artifact_location=location)


def git_commit(cwd: Path | None = None) -> str | None:
    """The commit of the repository the user runs in, if any (recorded for reproducibility)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=5, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


PARAM_CHARS = 6000  # MLflow's limit on a param value


def create_run(
    mlflow_client: MlflowClient, experiment: str, run_name: str | None, tags: dict[str, str], params: dict[str, Any]
) -> tuple[str, str]:
    """A new run in `experiment` with `tags` and `params`; returns (run id, run name).

    Every run carries the process and host that drive it (so `emoai runs stop` can reach it) and
    the git commit the user runs in, when there is one.
    """
    from mlflow.entities import Param

    experiment_id = ensure_experiment(mlflow_client, experiment)
    from emoai_core.tracking.liveness import driver_identity

    all_tags = {**tags, **driver_identity(os.getpid())}
    commit = git_commit()
    if commit:
        all_tags["mlflow.source.git.commit"] = commit
    run = mlflow_client.create_run(experiment_id, run_name=run_name, tags=all_tags)
    run_id = run.info.run_id
    mlflow_client.log_batch(run_id, params=[Param(k, str(v)[:PARAM_CHARS]) for k, v in params.items()])
    return run_id, run.info.run_name
