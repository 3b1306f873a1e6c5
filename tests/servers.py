"""Servers the shared-storage tests start on 127.0.0.1 and stop: moto_server (an S3 API) and `mlflow server`.

Each runs in its own process group on a free port; leaving the context ends the whole group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

S3_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server did not listen on {port} within {timeout:.0f}s: {log.read_text()[-2000:]}")


@contextlib.contextmanager
def running(
    args: list[str], port: int, log: Path, env: dict[str, str], timeout: float = 60
) -> Iterator[None]:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        _wait_for_port(port, proc, timeout, log)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextlib.contextmanager
def moto_s3(folder: Path) -> Iterator[str]:
    """An S3 API on 127.0.0.1 (in memory); yields its endpoint URL."""
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    env = {**os.environ, **S3_ENV}
    with running([str(exe), "-H", "127.0.0.1", "-p", str(port)], port, folder / "moto.log", env):
        yield f"http://127.0.0.1:{port}"


def make_bucket(endpoint: str, bucket: str | None = None) -> str:
    import pyarrow.fs as pafs

    bucket = bucket or f"emoai-{uuid.uuid4().hex[:8]}"
    fs = pafs.S3FileSystem(
        endpoint_override=endpoint,
        scheme="http",
        region="us-east-1",
        allow_bucket_creation=True,
        access_key=S3_ENV["AWS_ACCESS_KEY_ID"],
        secret_key=S3_ENV["AWS_SECRET_ACCESS_KEY"],
    )
    fs.create_dir(bucket)
    return bucket


@contextlib.contextmanager
def mlflow_server(folder: Path, artifacts: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """A real `mlflow server` (sqlite backend, artifacts proxied to `artifacts`); yields its URL."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    args = [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--backend-store-uri",
        f"sqlite:///{folder / 'mlflow.db'}",
        "--artifacts-destination",
        artifacts,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    full = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", **(env or {})}
    with running(args, port, folder / "mlflow-server.log", full, timeout=120):
        yield f"http://127.0.0.1:{port}"
