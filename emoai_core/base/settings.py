"""Where emoai keeps things and which services it talks to.

Everything is read from the environment at call time, so the CLI's global options (which
write the environment) reach core code, Ray workers and subprocesses alike. Every path under
EMOAI_HOME is spelled once, in `Paths`, so two commands can never disagree about where a thing is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATASET = "dair-ai/emotion"
DEFAULT_DATA_NAME = "emotion"
DEFAULT_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_EXPERIMENT = "emoai"
REGISTERED_MODEL = "emoai-emotion"
DEFAULT_ALIAS = "production"
SERVE_APP_NAME = "emoai"

ENV_HOME = "EMOAI_HOME"
ENV_TRACKING_URI = "EMOAI_TRACKING_URI"
ENV_DEBUG = "EMOAI_DEBUG"
ENV_DATA_SOURCE = "EMOAI_DATA_SOURCE"
ENV_RAY_TEMP_ROOT = "EMOAI_RAY_TEMP_ROOT"
ENV_STORAGE = "EMOAI_STORAGE"


def ray_run_name(run_id: str) -> str:
    """The Ray Train run (and its folder under the Ray storage) of the MLflow run `run_id`."""
    return f"emoai-{run_id}"


def tune_run_name(study_run_id: str) -> str:
    """The Ray Tune experiment of the study whose MLflow parent run is `study_run_id`."""
    return f"tune-{study_run_id}"


@dataclass(frozen=True)
class Paths:
    """Every path under EMOAI_HOME."""

    home: Path

    @property
    def data(self) -> Path:
        return self.home / "data"

    def data_version(self, name: str, version: str) -> Path:
        return self.data / name / version

    @property
    def downloads(self) -> Path:
        """Temporary folders of URL sources being downloaded (each removed once read)."""
        return self.home / "cache" / "downloads"

    @property
    def mlflow_db(self) -> Path:
        return self.home / "mlflow.db"

    @property
    def artifacts(self) -> Path:
        """MLflow artifacts of a local (sqlite) store, one folder per experiment."""
        return self.home / "artifacts"

    @property
    def ray_storage(self) -> Path:
        """Ray Train and Tune's storage_path: checkpoints and run results."""
        return self.home / "ray_results"

    def ray_run(self, run_id: str) -> Path:
        return self.ray_storage / ray_run_name(run_id)

    @property
    def models(self) -> Path:
        """Local copies of promoted models, loadable without MLflow."""
        return self.home / "models"

    def local_copy(self, alias: str) -> Path:
        return self.models / alias

    def model_cache(self, run_id: str) -> Path:
        """A run's registered model as a plain Hugging Face folder, downloaded once."""
        return self.home / "cache" / "models" / run_id

    @property
    def base_model_cache(self) -> Path:
        """Base model folders fetched from the shared storage, one per content hash."""
        return self.home / "cache" / "base-models"

    def onnx_cache(self, run_id: str) -> Path:
        """A run's model exported to an ONNX bundle, once, for serving."""
        return self.home / "cache" / "onnx" / run_id

    @property
    def cluster_state(self) -> Path:
        return self.home / "cluster.json"

    def cluster_dir(self, name: str) -> Path:
        """Files emoai writes for the cluster `name` (launcher and autoscaler configs)."""
        return self.home / "clusters" / name

    @property
    def serve_state(self) -> Path:
        return self.home / "serve.json"

    @property
    def monitor(self) -> Path:
        """What `emoai serve` records for `emoai monitor`: prediction logs, served models, references."""
        return self.home / "monitor"

    @property
    def prediction_logs(self) -> Path:
        """The served predictions, one JSON line each, in size- and age-rotated files."""
        return self.monitor / "predictions"

    def served_model(self, key: str) -> Path:
        """What a served model is (its folder, version, training data), by its monitor key."""
        return self.monitor / "models" / f"{key}.json"

    def monitor_reference(self, name: str) -> Path:
        """A cached reference for drift: a training vocabulary, or a profile of the training data."""
        return self.monitor / "reference" / name


@dataclass(frozen=True)
class Settings:
    """Resolved locations and addresses for one command invocation."""

    home: Path
    tracking_uri: str
    ray_address: str | None
    debug: bool
    data_source: str
    storage: str | None = None  # the shared storage URI (s3://, gs://, file:///) a cluster reaches

    @property
    def paths(self) -> Paths:
        return Paths(self.home)

    @property
    def is_local_tracking(self) -> bool:
        return self.tracking_uri.startswith("sqlite:///") and str(self.home) in self.tracking_uri


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from `env` (default: the process environment)."""
    env = dict(os.environ) if env is None else env
    home = Path(env.get(ENV_HOME) or Path.home() / ".emoai").expanduser().resolve()
    tracking = env.get(ENV_TRACKING_URI) or env.get("MLFLOW_TRACKING_URI")
    storage = env.get(ENV_STORAGE)
    if not tracking or not storage:  # the cluster `emoai cluster up` started brings its own
        record = cluster_record(home)
        tracking = tracking or record.get("tracking_uri")
        storage = storage or record.get("storage")
    return Settings(
        home=home,
        tracking_uri=tracking or f"sqlite:///{Paths(home).mlflow_db}",
        ray_address=env.get("RAY_ADDRESS") or None,
        debug=_truthy(env.get(ENV_DEBUG)),
        data_source=env.get(ENV_DATA_SOURCE) or DEFAULT_DATASET,
        storage=storage or None,
    )


def ray_temp_root() -> str:
    """Where the Ray clusters emoai starts keep their temp folders (unix sockets: keep the path short)."""
    return os.environ.get(ENV_RAY_TEMP_ROOT) or "/tmp"


def cluster_record(home: Path) -> dict:
    """$EMOAI_HOME/cluster.json as a dict (empty when absent or unreadable); see `cluster.state`."""
    import json

    try:
        data = json.loads(Paths(home).cluster_state.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def paths() -> Paths:
    """The paths under the EMOAI_HOME this process uses now."""
    return load_settings().paths


def ensure_service_env() -> None:
    """Environment defaults every Ray and MLflow client started by emoai should see.

    Ray 2.60 turns token auth on once `~/.ray/auth_token` exists; the `ray`/`serve` CLIs and
    clients only send the token when `RAY_AUTH_MODE=token`, so we set it unless the user chose.
    """
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "1")
