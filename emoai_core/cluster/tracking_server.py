"""The MLflow tracking server `emoai cluster up` runs on a cluster's head when the user names none.

Runs must be seen from the laptop and written from the cluster, so they go to one `mlflow server`:
its runs in a sqlite file on the head, its artifacts (models) in the shared storage's `mlflow/`
(proxied, so a laptop downloads them through the server with no storage credentials of its own).
On AWS the command is part of the head's start commands and the laptop reaches it through a port
forward; a local cluster starts it here, as a process of the head's "machine".
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from emoai_core.base.errors import EmoaiError
from emoai_core.storage.location import MLFLOW, Storage

SERVER_PORT = 5000  # on an AWS head (reached through the port forward)
START_TIMEOUT = 120.0


def artifacts_destination(storage: Storage | None, fallback: Path | str) -> str:
    """Where the server keeps artifacts: the storage's `mlflow/`, else a folder on the head."""
    if storage is not None:
        return storage.uri_of(MLFLOW)
    return f"file://{fallback}"


def server_env(storage: Storage | None) -> dict[str, str]:
    """What the server process needs to reach an S3-compatible store (MLflow's own variable)."""
    endpoint = storage.endpoint if storage is not None else None
    return {"MLFLOW_S3_ENDPOINT_URL": endpoint} if endpoint else {}


def server_args(backend: str, artifacts: str, host: str, port: int) -> list[str]:
    return [
        "mlflow", "server",
        "--backend-store-uri", backend,
        "--artifacts-destination", artifacts,
        "--host", host,
        "--port", str(port),
        "--workers", "1",
    ]  # fmt: skip


def head_command(storage: Storage | None, folder: str = "/home/ray/emoai-tracking") -> str:
    """The shell command an AWS head runs (in the background) to serve MLflow on 127.0.0.1:SERVER_PORT."""
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in server_env(storage).items())
    args = server_args(
        f"sqlite:///{folder}/mlflow.db",
        artifacts_destination(storage, f"{folder}/artifacts"),
        "127.0.0.1",
        SERVER_PORT,
    )
    quoted = " ".join(shlex.quote(a) for a in args)
    return f"mkdir -p {folder} && {env + ' ' if env else ''}nohup {quoted} > {folder}/server.log 2>&1 &"


def start_local(folder: Path, storage: Storage | None, port: int, env: dict[str, str]) -> dict[str, Any]:
    """Start `mlflow server` on 127.0.0.1:`port` with its files in `folder`; wait until it answers."""
    folder.mkdir(parents=True, exist_ok=True)
    args = server_args(
        f"sqlite:///{folder / 'mlflow.db'}",
        artifacts_destination(storage, folder / "artifacts"),
        "127.0.0.1",
        port,
    )
    args[0:1] = [sys.executable, "-m", "mlflow"]
    full_env = {**env, "MLFLOW_DISABLE_TELEMETRY": "true", **server_env(storage)}
    with (folder / "server.log").open("ab") as log:
        proc = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env=full_env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    info = {"pid": proc.pid, "folder": str(folder), "url": url}
    try:
        wait_ready(url, proc)
    except BaseException:
        stop_local(info)
        raise
    return info


def wait_ready(url: str, proc: subprocess.Popen | None = None, timeout: float = START_TIMEOUT) -> None:
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise EmoaiError(f"the MLflow server exited ({proc.returncode})", "see its server.log")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise EmoaiError(f"the MLflow server at {url} did not answer within {timeout:.0f}s", "see its server.log")


def stop_local(info: dict[str, Any]) -> bool:
    """End the server's process group, if that pid is still the server started in `info['folder']`."""
    pid = int(info.get("pid") or 0)
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    if str(info.get("folder", "")).encode() not in cmdline:
        return False  # the pid was reused by something else: leave it alone
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.time() + 10
        while time.time() < deadline and Path(f"/proc/{pid}").exists() and not _zombie(pid):
            time.sleep(0.2)
        if not Path(f"/proc/{pid}").exists() or _zombie(pid):
            break
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
    return True


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (OSError, IndexError):
        return True
