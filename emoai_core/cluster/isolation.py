"""Local nodes that behave like other machines: each with its own HOME and EMOAI_HOME.

With `isolated_nodes: true` a local cluster shares nothing with the laptop but network endpoints
(and, standing in for an instance role, the AWS_* credentials of the environment): no data
versions, no tracking store, no storage setting. A job on it must bring what it needs through the
shared storage and a tracking server, exactly as on a cluster of real machines. Each node gets a
copy of Ray's auth token, as a provisioned machine would.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# what the laptop's environment must not hand to a "machine" of its own
NOT_INHERITED = ("EMOAI_TRACKING_URI", "MLFLOW_TRACKING_URI", "EMOAI_STORAGE", "EMOAI_DATA_SOURCE")


def node_home(cluster_dir: Path, node: str) -> Path:
    return Path(cluster_dir) / "nodes" / node


def node_env(cluster_dir: Path, node: str) -> dict[str, str]:
    """The environment of one isolated node (its own HOME and EMOAI_HOME, the laptop's settings blanked)."""
    from emoai_core.base.settings import ensure_service_env
    from emoai_core.cluster.dashboard import auth_token_path
    from emoai_core.cluster.local_ray import ensure_auth_token

    ensure_service_env()
    ensure_auth_token(dict(os.environ))  # made once on this machine, then copied to every node
    home = node_home(cluster_dir, node)
    (home / ".ray").mkdir(parents=True, exist_ok=True)
    token = auth_token_path(os.environ)
    if token.is_file() and not os.environ.get("RAY_AUTH_TOKEN_PATH"):
        target = home / ".ray" / "auth_token"
        shutil.copyfile(token, target)
        target.chmod(0o600)
    return {"HOME": str(home), "EMOAI_HOME": str(home / ".emoai"), **{k: "" for k in NOT_INHERITED}}
