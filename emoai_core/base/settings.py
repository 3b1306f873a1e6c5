"""Where emoai keeps things and which services it talks to.

Everything is read from the environment at call time, so the CLI's global options (which
write the environment) reach core code, Ray workers and subprocesses alike.
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

ENV_HOME = "EMOAI_HOME"
ENV_TRACKING_URI = "EMOAI_TRACKING_URI"
ENV_DEBUG = "EMOAI_DEBUG"
ENV_DATA_SOURCE = "EMOAI_DATA_SOURCE"


@dataclass(frozen=True)
class Settings:
    """Resolved locations and addresses for one command invocation."""

    home: Path
    tracking_uri: str
    ray_address: str | None
    debug: bool
    data_source: str

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "artifacts"

    @property
    def ray_storage(self) -> Path:
        return self.home / "ray_results"

    @property
    def models_dir(self) -> Path:
        """Local copies of promoted models, loadable without MLflow."""
        return self.home / "models"

    @property
    def cluster_state_file(self) -> Path:
        return self.home / "cluster.json"

    @property
    def is_local_tracking(self) -> bool:
        return self.tracking_uri.startswith("sqlite:///") and str(self.home) in self.tracking_uri


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from `env` (default: the process environment)."""
    env = dict(os.environ) if env is None else env
    home = Path(env.get(ENV_HOME) or Path.home() / ".emoai").expanduser().resolve()
    tracking = env.get(ENV_TRACKING_URI) or env.get("MLFLOW_TRACKING_URI") or f"sqlite:///{home}/mlflow.db"
    return Settings(
        home=home,
        tracking_uri=tracking,
        ray_address=env.get("RAY_ADDRESS") or None,
        debug=_truthy(env.get(ENV_DEBUG)),
        data_source=env.get(ENV_DATA_SOURCE) or DEFAULT_DATASET,
    )


def ensure_service_env() -> None:
    """Environment defaults every Ray and MLflow client started by emoai should see.

    Ray 2.60 turns token auth on once `~/.ray/auth_token` exists; the `ray`/`serve` CLIs and
    clients only send the token when `RAY_AUTH_MODE=token`, so we set it unless the user chose.
    """
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "1")
