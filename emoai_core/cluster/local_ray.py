"""Ray nodes started on this machine with `ray start`, and stopping exactly those.

Each cluster emoai starts gets its own temporary root folder; every process of that cluster
names it on its command line or holds files open inside it (`processes.tied_to`), so `stop` can
find and end them without touching any other Ray on the machine (a bare `ray stop` would kill
them all). Every port is picked free, so several
clusters (and tests) can run side by side.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from emoai_core.base.errors import EmoaiError, UnreachableError, UsageError
from emoai_core.base.settings import ensure_service_env, ray_temp_root
from emoai_core.cluster import processes

START_TIMEOUT = 120.0


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int, exclude: frozenset[int] = frozenset()) -> list[int]:
    """`count` distinct free ports, none in `exclude`.

    Every socket stays bound until all are picked: a socket bound and closed one at a time lets the
    OS hand the same port out twice, and `ray start` then refuses two components on one port.
    """
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count + len(exclude))]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        ports = [sock.getsockname()[1] for sock in socks]
    return [p for p in ports if p not in exclude][:count]


def ray_cli() -> str:
    candidate = Path(sys.executable).with_name("ray")
    return str(candidate) if candidate.exists() else "ray"


NODE_PORT_OPTIONS = (
    "--dashboard-agent-listen-port",
    "--metrics-export-port",
    "--runtime-env-agent-port",
    "--node-manager-port",
    "--object-manager-port",
)


def _node_ports(ports: list[int]) -> list[str]:
    """Per-node ports that default to fixed numbers and would collide between nodes on one machine."""
    return [f"{option}={p}" for option, p in zip(NODE_PORT_OPTIONS, ports, strict=True)]


def _resources_args(cpus: float | None, gpus: float | None, resources: dict[str, float] | None) -> list[str]:
    args = []
    if cpus is not None:
        args.append(f"--num-cpus={int(cpus)}")
    if gpus:
        args.append(f"--num-gpus={int(gpus)}")
    if resources:
        args.append(f"--resources={json.dumps(resources)}")
    return args


def _run(args: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=START_TIMEOUT)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise EmoaiError(
            f"'ray start' failed: {' | '.join(tail)[:500]}", "see the output above, or rerun with --debug"
        )


def ensure_auth_token(env: dict[str, str]) -> None:
    """Make Ray's auth token on a machine that has none, as `ray.init` does for a local Ray.

    With RAY_AUTH_MODE=token (emoai's default) `ray start` refuses to start without a token
    instead of creating one, so `emoai cluster up` and `emoai serve` failed on a fresh machine.
    Ray's own `ray get-auth-token --generate` writes it to ~/.ray/auth_token.
    """
    from emoai_core.cluster.dashboard import auth_token, auth_token_path

    if env.get("RAY_AUTH_MODE", "").lower() != "token" or auth_token(env):
        return
    path = auth_token_path(env)
    if env.get("RAY_AUTH_TOKEN_PATH"):
        raise UsageError(
            f"RAY_AUTH_TOKEN_PATH names {path}, which holds no Ray auth token",
            "write the cluster's token there, or unset RAY_AUTH_TOKEN_PATH to let emoai create one",
        )
    proc = subprocess.run(
        [ray_cli(), "get-auth-token", "--generate"], capture_output=True, text=True, env=env, timeout=120
    )
    if proc.returncode != 0 or not auth_token(env):
        detail = (proc.stderr or "").strip().splitlines()[-1:] or ["no token written"]
        raise EmoaiError(
            f"could not create Ray's auth token at {path}: {detail[0][:300]}",
            "run 'ray get-auth-token --generate', or set RAY_AUTH_TOKEN",
        )


@dataclass
class LocalHead:
    address: str  # GCS address, for ray.init(address=...) and `ray start --address`
    dashboard_url: str
    temp_dir: str
    client_port: int


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    from emoai_core.cluster.ray_env import LOCAL_WORKER_NICENESS

    ensure_service_env()
    niceness = os.environ.get("RAY_worker_niceness", str(LOCAL_WORKER_NICENESS))  # noqa: SIM112 - Ray spells it so; the user's wins
    return {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_worker_niceness": niceness, **(extra or {})}


def new_temp_dir(prefix: str = "emoai-ray-") -> str:
    """Short on purpose: Ray puts unix sockets under it, and socket paths are limited to ~107 bytes."""
    root = ray_temp_root()
    os.makedirs(root, exist_ok=True)
    return tempfile.mkdtemp(prefix=prefix, dir=root)


def start_head(
    cpus: float | None = None,
    gpus: float | None = None,
    resources: dict[str, float] | None = None,
    temp_dir: str | None = None,
    extra_args: list[str] | None = None,
    env: dict[str, str] | None = None,
    port: int | None = None,
) -> LocalHead:
    """`ray start --head` on free ports with the dashboard bound to 127.0.0.1."""
    temp_dir = temp_dir or new_temp_dir()
    given = frozenset({port} if port else ())
    dashboard, client, *node, picked = free_ports(3 + len(NODE_PORT_OPTIONS), given)
    port = port or picked
    args = [
        ray_cli(),
        "start",
        "--head",
        f"--port={port}",
        "--dashboard-host=127.0.0.1",
        f"--dashboard-port={dashboard}",
        f"--ray-client-server-port={client}",
        f"--temp-dir={temp_dir}",
        "--disable-usage-stats",
        *_node_ports(node),
        *_resources_args(cpus, gpus, resources),
        *(extra_args or []),
    ]
    full_env = _env(env)
    try:
        ensure_auth_token(full_env)
        _run(args, full_env)
    except BaseException:
        stop(temp_dir)
        raise
    return LocalHead(f"127.0.0.1:{port}", f"http://127.0.0.1:{dashboard}", temp_dir, client)


def add_node(
    address: str,
    temp_dir: str,
    cpus: float | None = None,
    gpus: float | None = None,
    resources: dict[str, float] | None = None,
    extra_args: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> None:
    """Another Ray node on this machine, joined to the head at `address` (`env`: its own variables)."""
    args = [
        ray_cli(),
        "start",
        f"--address={address}",
        f"--temp-dir={temp_dir}",
        "--disable-usage-stats",
        *_node_ports(free_ports(len(NODE_PORT_OPTIONS))),
        *_resources_args(cpus, gpus, resources),
        *(extra_args or []),
    ]
    _run(args, _env(env))


def pids(temp_dir: str) -> list[int]:
    """Processes of the cluster rooted at `temp_dir` (see `processes.tied_to`)."""
    return processes.tied_to(temp_dir)


def stop(temp_dir: str, timeout: float = 3.0) -> list[int]:
    """End every process of the cluster rooted at `temp_dir` (TERM, then KILL), then remove the folder."""
    targets = processes.end_tied(temp_dir, timeout)
    shutil.rmtree(temp_dir, ignore_errors=True)
    return targets


def wait_for_nodes(address: str, count: int, timeout: float = START_TIMEOUT) -> list[dict]:
    """Block until `count` nodes are alive (checked from a subprocess, so this process stays Ray-free)."""
    code = (
        f"import json, ray; ray.init(address={address!r}, logging_level='ERROR', log_to_driver=False); "
        "print(json.dumps([n for n in ray.nodes() if n['Alive']], default=str))"
    )
    deadline = time.time() + timeout
    nodes: list[dict] = []
    while time.time() < deadline:
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=60
        )
        if proc.returncode == 0:
            nodes = json.loads(proc.stdout.strip().splitlines()[-1])
            if len(nodes) >= count:
                return nodes
        time.sleep(1)
    raise UnreachableError(
        f"only {len(nodes)} of {count} Ray nodes came up at {address}",
        "check 'ray status' with RAY_AUTH_MODE=token, or free some memory/CPU",
    )
