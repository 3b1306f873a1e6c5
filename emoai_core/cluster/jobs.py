"""Running an emoai command on a (remote) Ray cluster as a Ray Job.

`emoai train --submit` (or an `--address` on another machine) ships the project as the job's
working directory, with the environment from cluster_env.yaml, streams the job's logs back and
ends with the job's own exit status.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from emoai_core.base.errors import UnreachableError, UsageError

if TYPE_CHECKING:
    from ray.job_submission import JobSubmissionClient

    from emoai_core.cluster.config import ClusterEnv

ENV_JOB_ID = "EMOAI_RAY_JOB_ID"
ENV_JOB_DASHBOARD = "EMOAI_RAY_JOB_DASHBOARD"
DEFAULT_DASHBOARD_PORT = 8265
FORWARDED_ENV = ("EMOAI_TRACKING_URI", "MLFLOW_TRACKING_URI", "EMOAI_DEBUG", "EMOAI_STORAGE")
# what this machine says about itself, true for a job on it (not for one on other machines)
LOCAL_ONLY_ENV = ("HF_HUB_OFFLINE",)


def _host(address: str) -> str:
    if "://" in address:
        return urlparse(address).hostname or ""
    return address.rsplit(":", 1)[0]


def is_remote(address: str | None) -> bool:
    """An address on another machine (where a local driver could not read the data or the store).

    The nodes of a local cluster started with `isolated_nodes` count as other machines: they share
    no EMOAI_HOME with this one.
    """
    if not address:
        return False
    if _isolated(address):
        return True
    host = _host(address)
    if host in ("", "localhost", "127.0.0.1", "::1", socket.gethostname()):
        return False
    try:
        ip = socket.gethostbyname(host)
    except OSError:
        return True
    return not _is_local_ip(ip)


def _isolated(address: str) -> bool:
    from emoai_core.cluster.state import read_state

    state = read_state() or {}
    ours = {state.get("address"), state.get("dashboard_url"), (state.get("dashboard_url") or "").rstrip("/")}
    return bool(state.get("isolated")) and address.rstrip("/") in ours


def _is_local_ip(ip: str) -> bool:
    """An address of this machine: one a socket can bind to (any interface, not only the hostname's)."""
    if ip.startswith("127."):
        return True
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((ip, 0))
        except OSError:
            return False
    return True


def inside_job() -> bool:
    """True in a process Ray started for an emoai job: it runs the work itself, never submits again."""
    return bool(os.environ.get(ENV_JOB_ID))


def should_submit(submit: bool, address: str | None) -> bool:
    """Run as a job: when asked, or when the cluster (named, or the one `cluster up` started) is elsewhere."""
    from emoai_core.cluster.state import current_address

    return not inside_job() and (submit or is_remote(address or current_address()))


def dashboard_url(address: str | None) -> str:
    """Where the Job API listens: an http(s) address as is, the `emoai cluster up` dashboard, or host:8265."""
    from emoai_core.cluster.state import read_state

    if address and address.startswith(("http://", "https://")):
        return address.rstrip("/")
    state = read_state() or {}
    if state.get("dashboard_url") and (not address or address == state.get("address")):
        return state["dashboard_url"]
    if address:
        return f"http://{_host(address.replace('ray://', ''))}:{DEFAULT_DASHBOARD_PORT}"
    raise UsageError(
        "no cluster to submit to", "pass --address http://<head>:8265, or start one: emoai cluster up"
    )


def runtime_env(env: ClusterEnv, working_dir: Path, extra_env: dict[str, str]) -> dict[str, Any]:
    """The job's runtime env from cluster_env.yaml: the project as working dir, env vars, pip packages."""
    from emoai_core.cluster.ray_env import worker_env

    forwarded = {k: os.environ[k] for k in FORWARDED_ENV if k in os.environ}
    if ENV_JOB_DASHBOARD not in extra_env or not is_remote(extra_env[ENV_JOB_DASHBOARD]):
        forwarded.update({k: os.environ[k] for k in LOCAL_ONLY_ENV if k in os.environ})
    env_vars = {**worker_env(), **env.env_vars, **forwarded, **extra_env}
    runtime: dict[str, Any] = {
        "working_dir": str(working_dir),
        "env_vars": env_vars,
        "excludes": list(env.working_dir.excludes),
    }
    if env.python.pip_packages:
        runtime["pip"] = list(env.python.pip_packages)
    return runtime


def _client(url: str) -> JobSubmissionClient:
    from ray.job_submission import JobSubmissionClient

    try:
        return JobSubmissionClient(url)
    except Exception as exc:  # noqa: BLE001 - connection and auth errors come in several types
        raise UnreachableError(
            f"cannot reach the Ray Job API at {url}: {str(exc).splitlines()[0][:200]}",
            "check the address; the dashboard port is usually 8265",
        ) from None


def submit(
    args: list[str], url: str, env: ClusterEnv, working_dir: Path, extra_env: dict[str, str] | None = None
) -> str:
    """Submit `emoai <args>` as a job; returns its submission id."""
    job_id = f"emoai-{uuid.uuid4().hex[:12]}"
    entrypoint = "python -m emoai_cli.main " + " ".join(shlex.quote(a) for a in args)
    extra = {**(extra_env or {}), ENV_JOB_ID: job_id, ENV_JOB_DASHBOARD: url}
    if not is_remote(url) and os.environ.get("EMOAI_HOME"):
        extra["EMOAI_HOME"] = os.environ["EMOAI_HOME"]  # same machine: the job sees the same data and runs
    runtime = runtime_env(env, working_dir, extra)
    return _client(url).submit_job(entrypoint=entrypoint, submission_id=job_id, runtime_env=runtime)


def follow(job_id: str, url: str) -> Iterator[str]:
    """The job's log lines as they are written (until the job ends)."""
    client = _client(url)
    loop = asyncio.new_event_loop()
    stream = client.tail_job_logs(job_id).__aiter__()
    try:
        while True:
            try:
                chunk = loop.run_until_complete(stream.__anext__())
            except StopAsyncIteration:
                return
            yield from chunk.splitlines()
    finally:
        loop.close()


def status(job_id: str, url: str) -> str:
    return str(_client(url).get_job_status(job_id).value)


def stop_job(job_id: str, url: str | None) -> bool:
    return bool(_client(url or dashboard_url(None)).stop_job(job_id))


def run_as_job(
    args: list[str],
    address: str | None,
    env: ClusterEnv,
    working_dir: Path,
    on_line: Callable[[str], None],
    extra_env: dict[str, str] | None = None,
) -> tuple[str, str]:
    """Submit, stream logs to `on_line`, return (job id, final status)."""
    url = dashboard_url(address)
    job_id = submit(args, url, env, working_dir, extra_env)
    on_line(f"submitted job {job_id} to {url}")
    for line in follow(job_id, url):
        on_line(line)
    return job_id, status(job_id, url)
