"""Deploying and stopping the model server (`emoai serve`, `serve stop`); `status` answers `serve status`.

The server runs on the Ray cluster `--address` / `RAY_ADDRESS` / `emoai cluster up` names; with none,
a foreground server uses an in-process Ray, and `--detach` starts a private local Ray head that
`emoai serve stop` ends again. What was started is kept in `$EMOAI_HOME/serve.json`.

A Ray that emoai starts for the server gets the fast ingress (HAProxy straight to the replicas,
`ingress.py`) in its environment before it starts; a cluster started elsewhere keeps its own, and
the state records what was detected either way.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emoai_core.base.errors import UnreachableError, UsageError
from emoai_core.base.settings import SERVE_APP_NAME as APP_NAME
from emoai_core.base.settings import load_settings
from emoai_core.serving import ingress
from emoai_core.serving.bundle import model_bundle
from emoai_core.serving.options import ServeOptions
from emoai_core.serving.state import ServeState, clear_state, read_state, write_state
from emoai_core.serving.status import is_running, wait_healthy

if TYPE_CHECKING:
    from emoai_core.cluster.local_ray import LocalHead


def _settings_for_replicas(opts: ServeOptions, monitor: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "monitor": monitor,
        "max_batch_size": opts.max_batch_size,
        "batch_wait_ms": opts.batch_wait_ms,
        "max_text_chars": opts.max_text_chars,
        "max_batch_texts": opts.max_batch_texts,
        "threads": max(1, int(opts.cpus_per_replica)),
        "token_sha256": hashlib.sha256(opts.token.encode()).hexdigest() if opts.token else None,
        "max_body_bytes": opts.body_limit,
    }


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def deploy(
    model_folder: Path,
    opts: ServeOptions,
    *,
    address: str | None = None,
    detach: bool = False,
    model_name: str = "",
) -> ServeState:
    """Deploy (or roll out a new model to) the server; returns once it answers /healthz."""
    from emoai_core.cluster.local_ray import start_head
    from emoai_core.cluster.ray_env import resolve_address

    opts.check()
    bundle, meta = model_bundle(model_folder)
    current = read_state()
    running = current is not None and is_running(current)
    if running:
        if (current.host, current.port) != (opts.host, opts.port):
            raise UsageError(
                f"a server is already running at {current.url}",
                "stop it first (emoai serve stop), or deploy to the same --host/--port to roll out",
            )
        address = current.address
    elif not _port_free(opts.host, opts.port):
        raise UsageError(f"port {opts.port} on {opts.host} is already in use", "pick another one with --port")
    target = address or resolve_address(None)
    temp_dir = current.temp_dir if running else None
    files = current.ingress_files if running else None
    plan = ingress.plan(opts.ingress) if not (running or target) else None  # a Ray emoai starts
    started_head = None
    try:
        if plan is not None:
            files = plan.files
            if detach:
                started_head = start_head(env=plan.env)
                target, temp_dir = started_head.address, started_head.temp_dir
            else:
                os.environ.update(plan.env)  # read by the in-process Ray that connect() starts
        from emoai_core.serving.observe import monitor_for

        monitor = monitor_for(model_folder, bundle, meta, opts.log_texts)
        actual, url, found, metrics = _deploy_app(target, bundle, meta, opts, monitor, files)
    except BaseException:
        if started_head is not None:  # leave nothing running behind a failed start
            from emoai_core.cluster.local_ray import stop as stop_local

            stop_local(started_head.temp_dir)
        if plan is not None:
            ingress.clean(plan.files)
        raise
    deployed = {"run_id": meta.get("run_id"), "version": meta.get("version"), "deployed": time.time()}
    state = ServeState(
        url=url,
        address=actual,
        host=opts.host,
        port=opts.port,
        run_id=meta.get("run_id"),
        version=meta.get("version"),
        model=model_name or str(model_folder),
        started=current.started if running else time.time(),
        temp_dir=temp_dir,
        token_required=bool(opts.token),
        dashboard_url=_dashboard_url(started_head, current if running else None),
        history=((current.history if running else []) + [deployed])[-20:],
        ingress=found,
        ingress_files=files,
        metrics=metrics,
    )
    write_state(state)
    return state


def _dashboard_url(started_head: LocalHead | None, current: ServeState | None) -> str | None:
    if started_head is not None:
        return started_head.dashboard_url
    if current is not None and current.dashboard_url:
        return current.dashboard_url
    try:
        from ray._private.worker import get_dashboard_url

        url = get_dashboard_url()
    except Exception:  # an in-process Ray without a dashboard
        return None
    return (url if url.startswith("http") else f"http://{url}") if url else None


def quiet_serve_logs() -> None:
    import logging

    if not load_settings().debug:
        logging.getLogger("ray.serve").setLevel(logging.WARNING)


def _deploy_app(
    target: str | None,
    bundle: dict[str, bytes],
    meta: dict[str, Any],
    opts: ServeOptions,
    monitor: dict[str, Any],
    files: str | None,
) -> tuple[str, str, str, list[str]]:
    """Deploy on the Ray at `target`; (Ray address, URL, ingress detected, metrics scrape URLs)."""
    import ray
    from ray import serve

    from emoai_core.cluster.ray_env import connect
    from emoai_core.serving.bind import build

    connect(target)
    quiet_serve_logs()
    actual = ray.get_runtime_context().gcs_address  # an in-process Ray has an address too
    serve.start(http_options={"host": opts.host, "port": opts.port})
    app = build(
        bundle,
        meta,
        _settings_for_replicas(opts, monitor),
        opts.replicas,
        opts.cpus_per_replica,
        opts.gpus_per_replica,
    )
    serve.run(app, name=APP_NAME, route_prefix="/", blocking=False)
    url = f"http://{'127.0.0.1' if opts.host in ('0.0.0.0', '::') else opts.host}:{opts.port}"
    wait_healthy(url)
    from emoai_core.serving.metrics import scrape_targets

    return actual, url, str(ingress.detect(files)["kind"]), scrape_targets(ray.nodes())


def stop() -> dict[str, Any]:
    """Delete the application, stop Serve's proxies (freeing the port) and any Ray head we started."""
    state = read_state()
    if state is None:
        return {"stopped": False, "message": "no server is running"}
    stopped_ray = False
    from emoai_core.cluster.local_ray import pids

    head_gone = bool(state.temp_dir) and not pids(state.temp_dir)  # our private head died: nothing to ask
    if state.address and not head_gone:
        try:
            from ray import serve

            from emoai_core.cluster.ray_env import connect

            connect(state.address)
            quiet_serve_logs()
            serve.delete(APP_NAME)
            serve.shutdown()
        except (UnreachableError, ConnectionError):
            pass
    if state.temp_dir:
        import ray

        from emoai_core.cluster.local_ray import stop as stop_local

        ray.shutdown()
        stop_local(state.temp_dir)
        stopped_ray = True
    ingress.clean(state.ingress_files)
    clear_state()
    return {"stopped": True, "url": state.url, "stopped_ray": stopped_ray}


def serve_foreground(
    model_folder: Path,
    opts: ServeOptions,
    *,
    address: str | None = None,
    model_name: str = "",
    on_ready: Callable[[ServeState], None] | None = None,
) -> None:
    """Serve until Ctrl-C, then take everything down cleanly."""
    import ray
    from ray import serve

    state = deploy(model_folder, opts, address=address, detach=False, model_name=model_name)
    # Ray replaced the SIGTERM handler: a plain `kill` would end this process without stopping Serve
    signal.signal(signal.SIGTERM, _interrupt)
    if on_ready:
        on_ready(state)
    try:
        while True:
            time.sleep(1)
    finally:
        try:
            serve.delete(APP_NAME)
            serve.shutdown()
        finally:
            clear_state()
            ray.shutdown()
            ingress.clean(state.ingress_files)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
