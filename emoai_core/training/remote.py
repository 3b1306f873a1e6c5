"""Getting a training job ready for a cluster on other machines, before anything is submitted.

Such a job starts with an empty EMOAI_HOME on the head. So: its runs must go to a tracking server
both sides reach (a local sqlite file is refused with exit 2), a shared storage must be named, the
data version it trains on is pushed there (once) and named in full, and a base model folder from
this machine travels the same way. What the job needs to find them goes into its environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError
from emoai_core.base.events import LogEvent, emit
from emoai_core.base.settings import ENV_STORAGE, ENV_TRACKING_URI, load_settings
from emoai_core.cluster.config import ClusterEnv

LOCAL_STORES = ("sqlite:", "file:", "/", ".")


@dataclass
class Prepared:
    """The options the job runs with (data and model named where it finds them) and its extra environment."""

    options: dict[str, Any]
    env: dict[str, str] = field(default_factory=dict)


def job_tracking_uri(env: ClusterEnv) -> str:
    """What the job logs to: --tracking-uri/EMOAI_TRACKING_URI, cluster_env.yaml's, the cluster's own server."""
    from emoai_core.cluster.state import read_state

    given = os.environ.get(ENV_TRACKING_URI) or os.environ.get("MLFLOW_TRACKING_URI") or env.tracking_uri
    if given:
        return given
    state = read_state() or {}
    return state.get("job_tracking_uri") or state.get("tracking_uri") or load_settings().tracking_uri


def check_tracking(uri: str) -> None:
    if uri.startswith(LOCAL_STORES) or "://" not in uri:
        raise UsageError(
            f"a job on a remote cluster cannot log to {uri}: that store is a file on this machine",
            "pass --tracking-uri http://<mlflow-server>:5000 (or EMOAI_TRACKING_URI) that both sides reach, "
            "or let 'emoai cluster up' start one on the head",
        )


def prepare(
    options: dict[str, Any], env: ClusterEnv, resume: bool = False, on_event: Callable | None = None
) -> Prepared:
    """Check tracking and storage, push the data version (and a local base model); nothing is submitted."""
    from emoai_core.storage.location import required

    tracking = job_tracking_uri(env)
    check_tracking(tracking)
    storage = required(
        os.environ.get(ENV_STORAGE) or env.storage,
        why="a job on a remote cluster reads its data and writes its checkpoints on a shared storage",
    )
    options = dict(options)
    if not resume:
        options["data"] = push_data(options.get("data"), storage, on_event)
        if options.get("abstain_data"):
            options["abstain_data"] = push_data(options["abstain_data"], storage, on_event)
        model = options.get("model")
        if model and Path(model).expanduser().is_dir():
            options["model"] = push_model(Path(model).expanduser(), storage, on_event)
    return Prepared(options, {ENV_TRACKING_URI: tracking, ENV_STORAGE: storage.spec})


def push_data(data: str | None, storage: Any, on_event: Callable | None) -> str:
    """Every source of `--data` (several joined by commas), each named in full for the job."""
    from emoai_core.data.remote import push
    from emoai_core.training.sources import refs

    pushed = []
    for ref in refs(data):
        done = push(ref or None, storage)
        verb = "pushed" if done.copied else "already on the storage:"
        emit(on_event, LogEvent(f"{verb} {done.version.ref} ({done.storage_uri})"))
        pushed.append(done.version.ref)
    return ",".join(pushed)


def push_model(folder: Path, storage: Any, on_event: Callable | None) -> str:
    from emoai_core.storage.folders import push_folder

    uri = push_folder(storage, folder)
    emit(on_event, LogEvent(f"base model {folder} is at {uri}"))
    return uri
