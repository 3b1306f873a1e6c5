"""Connecting to Ray and checking, before any work starts, that a request can ever be scheduled.

Commands use `--address` / `RAY_ADDRESS`, else the cluster `emoai cluster up` started, else a
local in-process Ray. A request that no node can ever hold (e.g. GPUs on a CPU-only cluster) fails
at once instead of waiting forever.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from typing import Any

from emoai_core.base.errors import UnreachableError, UsageError
from emoai_core.base.settings import ensure_service_env, load_settings


def resolve_address(address: str | None = None) -> str | None:
    from emoai_core.cluster.state import current_address

    return address or load_settings().ray_address or current_address()


# Ray starts its workers at niceness 15 so a busy node still answers its raylet. On a laptop the
# training worker then yields the CPU to every idle-looking Ray daemon and to the driver, and its
# two torch threads wait on each other: 66 s against 60 s an epoch in bench/train_throughput.py.
# Clusters emoai starts itself run workers at 0; clusters started elsewhere keep their setting.
LOCAL_WORKER_NICENESS = 0

# Ray Train's preemption watcher (an actor polling for node drains) and its Prometheus metrics
# callbacks serve spot nodes and Ray's dashboard. A Ray that emoai runs on this machine has
# neither, and every idle Ray process takes ~1 % of a core from the training threads of a 2-core
# laptop. Both are driver-side switches (Train propagates them to its controller); the user's wins.
LOCAL_TRAIN_ENV = {"RAY_TRAIN_ENABLE_PREEMPTION_WATCHER": "0", "RAY_TRAIN_METRICS_ENABLED": "0"}

# The in-process Ray has no dashboard, yet its dashboard agent gathers node and process stats for
# it every 5 s; once a minute is enough for what remains (Ray's own metrics). The user's wins.
IN_PROCESS_RAY_ENV = {"REPORTER_UPDATE_INTERVAL_MS": "60000"}


# Ray Train V2 runs the training function in a thread of the worker actor, while the actor's main
# thread keeps serving Ray. Hosted that way, torch's OpenMP workers (libgomp) outwait their default
# spin between parallel regions and sleep on a futex ~1,500 times a second: the same plain loop ran
# at 0.72-0.84x in an actor thread against the actor's main thread. Spinning longer before sleeping
# (bounded, so an idle worker still sleeps within milliseconds) removed the gap. Set for the job's
# workers only; a user's own GOMP_SPINCOUNT or OMP_WAIT_POLICY wins.
TORCH_WORKER_ENV = {"GOMP_SPINCOUNT": "10000000"}
_OPENMP_WAIT_VARS = ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")
# set by Ray in the entrypoint of a submitted job, whose runtime env (jobs.runtime_env) then rules
_IN_RAY_JOB = "RAY_JOB_CONFIG_JSON_ENV_VAR"


def worker_env() -> dict[str, str]:
    """Environment for the Ray workers emoai's jobs start (see TORCH_WORKER_ENV)."""
    from emoai_core.base.timeline import ENV_TIMELINE

    timeline = {ENV_TIMELINE: os.environ[ENV_TIMELINE]} if os.environ.get(ENV_TIMELINE) else {}
    if any(name in os.environ for name in _OPENMP_WAIT_VARS):
        return timeline  # the user's choice reaches the workers through their own environment
    return {**TORCH_WORKER_ENV, **timeline}


def connect(address: str | None = None, *, num_cpus: int | None = None) -> str:
    """Connect this process to Ray once; returns 'local' or the cluster address."""
    ensure_service_env()
    os.environ.setdefault("RAY_DATA_DISABLE_PROGRESS_BARS", "1")
    import ray

    if ray.is_initialized():
        return ray.get_runtime_context().gcs_address
    ray_messages_to_stderr()
    target = resolve_address(address)
    lighten_local_train(target)
    debug = load_settings().debug
    kwargs: dict[str, Any] = {
        "logging_level": logging.DEBUG if debug else logging.ERROR,
        "log_to_driver": debug,
    }
    env = worker_env()
    if env and _IN_RAY_JOB not in os.environ:
        kwargs["runtime_env"] = {"env_vars": env}
    try:
        if target:
            ray.init(address=target, **kwargs)
        else:
            from emoai_core.cluster import in_process

            _set_unless_set(IN_PROCESS_RAY_ENV)
            ray.init(
                num_cpus=num_cpus,
                include_dashboard=False,
                _temp_dir=in_process.claim(),  # its own folder: ended with this process (in_process.py)
                _system_config={"worker_niceness": LOCAL_WORKER_NICENESS},
                **kwargs,
            )
            if not debug:
                stop_log_monitor()
    except (ConnectionError, TimeoutError) as exc:
        raise UnreachableError(
            f"cannot reach the Ray cluster at {target}: {str(exc).splitlines()[0]}",
            "check --address / RAY_ADDRESS, or 'emoai cluster status'; omit them to use a local Ray",
        ) from None
    _quiet_ray_data()
    return target or "local"


def stop_log_monitor() -> None:
    """Stop the in-process Ray's log monitor.

    It exists to stream worker output to the driver, which emoai turns off (`log_to_driver`, except
    with EMOAI_DEBUG), yet it still scans every worker's log files ten times a second: ~2.5 % of a
    core taken from the training threads. Worker logs stay in Ray's session directory.
    """
    try:
        from ray._private import ray_constants, worker

        node = worker._global_node
        if node is not None and ray_constants.PROCESS_TYPE_LOG_MONITOR in node.all_processes:
            node.kill_log_monitor(check_alive=False)
    except Exception:  # noqa: BLE001 - a Ray without these internals keeps its monitor; nothing breaks
        return


def lighten_local_train(target: str | None) -> None:
    """Switch off Ray Train's cluster-only helpers when Ray runs on this machine (see LOCAL_TRAIN_ENV)."""
    if _runs_on_this_machine(target):
        _set_unless_set(LOCAL_TRAIN_ENV)


def _set_unless_set(env: dict[str, str]) -> None:
    """Ray reads these switches from the environment; a value the user exported wins."""
    for key, value in env.items():
        os.environ.setdefault(key, value)


def _runs_on_this_machine(target: str | None) -> bool:
    """True for the in-process Ray and for a local cluster `emoai cluster up` started."""
    if target is None:
        return True
    from emoai_core.cluster.state import read_state

    state = read_state() or {}
    return state.get("provider") == "local" and state.get("address") == target


def ray_messages_to_stderr() -> None:
    """Send what Ray prints for the raylet to stderr: stdout carries emoai's results (`--json`).

    Ray's error-listener thread prints raylet warnings (e.g. "4 PYTHON worker processes have been
    started") to stdout even with `log_to_driver` off; that broke `emoai train --json` on CI.
    """
    try:
        from ray._private import worker
    except ImportError:  # pragma: no cover - a Ray without this module prints nothing here
        return
    original = getattr(worker, "print_to_stdstream", None)
    if original is None or getattr(original, "emoai_stderr", False):
        return

    def to_stderr(data: dict[str, Any], ignore_prefix: bool) -> None:
        original({**data, "is_err": True}, ignore_prefix)

    to_stderr.emoai_stderr = True  # type: ignore[attr-defined]
    worker.print_to_stdstream = to_stderr


def _quiet_ray_data() -> None:
    """Ray Data's progress bars and per-dataset INFO lines would interleave with emoai's own display."""
    from ray.data import DataContext

    if load_settings().debug:
        return
    ctx = DataContext.get_current()
    if ctx.enable_progress_bars:
        ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    for name in ("ray.data", "ray.train", "ray.tune"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # "Progress bars disabled. To enable, ..." is a warning about the line above, not for our users
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)


@dataclass(frozen=True)
class NodeCapacity:
    cpu: float
    gpu: float


def alive_nodes() -> list[NodeCapacity]:
    import ray

    return [
        NodeCapacity(n["Resources"].get("CPU", 0.0), n["Resources"].get("GPU", 0.0))
        for n in ray.nodes()
        if n.get("Alive")
    ]


def workers_that_fit(nodes: list[NodeCapacity], cpu: float, gpu: float) -> int:
    """How many workers of (cpu, gpu) the cluster's total resources can ever hold, node by node."""
    total = 0
    for node in nodes:
        by_cpu = math.floor(node.cpu / cpu + 1e-9) if cpu else math.inf
        by_gpu = math.floor(node.gpu / gpu + 1e-9) if gpu else math.inf
        fit = min(by_cpu, by_gpu)
        total += 0 if fit == math.inf else int(fit)
    return total


def default_cpu_per_worker(nodes: list[NodeCapacity], num_workers: int) -> float:
    """Fill the cluster: each worker gets an equal share, no more than the largest node has."""
    largest = max((n.cpu for n in nodes), default=1.0)
    total = sum(n.cpu for n in nodes)
    return float(max(1, min(math.floor(largest), math.floor(total / num_workers))))


def _describe(nodes: list[NodeCapacity]) -> str:
    cpus = sum(n.cpu for n in nodes)
    gpus = sum(n.gpu for n in nodes)
    return f"{len(nodes)} node{'s' if len(nodes) != 1 else ''}, {cpus:g} CPUs, {gpus:g} GPUs"


def check_capacity(nodes: list[NodeCapacity], num_workers: int, cpu: float, gpu: float) -> None:
    """Raise a UsageError when `num_workers` × (cpu, gpu) can never be scheduled on `nodes`."""
    if gpu and not any(n.gpu for n in nodes):
        raise UsageError(
            f"requested {num_workers} worker(s) × {gpu:g} GPU, but the cluster has no GPUs ({_describe(nodes)})",
            "train on CPU (drop --gpu-per-worker), use a cluster with GPU nodes (--address or 'emoai cluster up'),"
            " or pass --wait if the cluster autoscales",
        )
    fit = workers_that_fit(nodes, cpu, gpu)
    if fit < num_workers:
        need = f"{cpu:g} CPU" + (f" + {gpu:g} GPU" if gpu else "")
        raise UsageError(
            f"requested {num_workers} worker(s) × {need}, but the cluster can hold at most {fit} "
            f"({_describe(nodes)})",
            "lower --num-workers / --cpu-per-worker, add nodes, or pass --wait if the cluster autoscales",
        )
