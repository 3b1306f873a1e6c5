"""Deploying, inspecting and stopping the model server (`emoai serve`, `serve status`, `serve stop`).

The server runs on the Ray cluster `--address` / `RAY_ADDRESS` / `emoai cluster up` names; with none,
a foreground server uses an in-process Ray, and `--detach` starts a private local Ray head that
`emoai serve stop` ends again. What was started is kept in `$EMOAI_HOME/serve.json`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emoai_core.base.errors import EmoaiError, UnreachableError, UsageError
from emoai_core.base.settings import load_settings

APP_NAME = "emoai"
BUNDLE_FILES = ("model.onnx", "tokenizer.json", "labels.json", "meta.json", "model.onnx.data")


@dataclass
class ServeOptions:
    replicas: int = 1
    cpus_per_replica: float = 1.0
    gpus_per_replica: float = 0.0
    max_batch_size: int = 32  # fills at 32 concurrent requests (bench/serve_load.py)
    batch_wait_ms: float = 5.0
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    max_text_chars: int = 2000
    max_batch_texts: int = 256

    def check(self) -> None:
        problems = []
        if self.replicas < 1:
            problems.append("--replicas must be at least 1")
        if self.cpus_per_replica <= 0:
            problems.append("--cpus-per-replica must be positive")
        if self.max_batch_size < 1 or self.max_batch_texts < 1 or self.max_text_chars < 1:
            problems.append("batch and text limits must be at least 1")
        if self.batch_wait_ms < 0:
            problems.append("--batch-wait-ms cannot be negative")
        if not 0 < self.port < 65536:
            problems.append(f"--port {self.port} is not a port number")
        if problems:
            raise UsageError("; ".join(problems))


@dataclass
class ServeState:
    url: str
    address: str | None
    host: str
    port: int
    run_id: str | None
    version: str | None
    model: str
    started: float
    temp_dir: str | None = None  # set when emoai started a private Ray head for the server
    token_required: bool = False
    dashboard_url: str | None = None  # where `emoai dashboard` reads the Serve app's replicas
    history: list[dict[str, Any]] = field(default_factory=list)


def state_file() -> Path:
    return load_settings().home / "serve.json"


def read_state() -> ServeState | None:
    try:
        return ServeState(**json.loads(state_file().read_text()))
    except (OSError, ValueError, TypeError):
        return None


def write_state(state: ServeState) -> None:
    from emoai_core.base.atomic import atomic_write_text

    atomic_write_text(state_file(), json.dumps(asdict(state), indent=2) + "\n")


def model_bundle(folder: Path) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The ONNX bundle's files as bytes, plus its meta (run id, version, metrics)."""
    missing = [n for n in BUNDLE_FILES[:3] if not (folder / n).is_file()]
    if missing:
        raise UsageError(
            f"{folder} is not an ONNX model bundle (missing {', '.join(missing)})",
            "serve a promoted model (emoai runs promote RUN) or a folder from 'emoai export --format onnx'",
        )
    bundle = {n: (folder / n).read_bytes() for n in BUNDLE_FILES if (folder / n).is_file()}
    meta = json.loads(bundle["meta.json"]) if "meta.json" in bundle else {}
    return bundle, meta


def onnx_bundle_for_run(run_ref: str) -> Path:
    """An ONNX bundle for any run (exported once into the cache)."""
    from emoai_core.model.export import export_onnx
    from emoai_core.tracking.runs import resolve_model_dir, resolve_run, versions_by_run
    from emoai_core.tracking.store import client

    run = resolve_run(run_ref)
    target = load_settings().home / "cache" / "onnx" / run.info.run_id
    if not (target / "model.onnx").is_file():
        versions = versions_by_run(client()).get(run.info.run_id, [])
        meta = {
            "run_id": run.info.run_id,
            "run_name": run.info.run_name,
            "version": str(max(int(v.version) for v in versions)) if versions else None,
            "metrics": {
                k: v for k, v in run.data.metrics.items() if k.startswith(("val_", "test_", "best_"))
            },
        }
        export_onnx(
            resolve_model_dir(run.info.run_id), target, int(run.data.params.get("max_length") or 128), meta
        )
    return target


def _settings_for_replicas(opts: ServeOptions) -> dict[str, Any]:
    return {
        "max_batch_size": opts.max_batch_size,
        "batch_wait_ms": opts.batch_wait_ms,
        "max_text_chars": opts.max_text_chars,
        "max_batch_texts": opts.max_batch_texts,
        "threads": max(1, int(opts.cpus_per_replica)),
        "token_sha256": hashlib.sha256(opts.token.encode()).hexdigest() if opts.token else None,
    }


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_healthy(url: str, timeout: float = 180.0) -> None:
    import httpx

    deadline = time.time() + timeout
    last = ""
    while time.time() < deadline:
        try:
            response = httpx.get(url.rstrip("/") + "/healthz", timeout=5)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.5)
    raise EmoaiError(
        f"the server at {url} did not become healthy in {timeout:.0f} s ({last})",
        "see 'emoai serve status' and the Ray logs",
    )


def _connect(address: str | None) -> None:
    from emoai_core.cluster.ray_env import connect

    connect(address)


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
    started_head = None
    if detach and not target:
        started_head = start_head()
        target, temp_dir = started_head.address, started_head.temp_dir
    try:
        actual, url = _deploy_app(target, bundle, meta, opts)
    except BaseException:
        if started_head is not None:  # leave nothing running behind a failed start
            from emoai_core.cluster.local_ray import stop as stop_local

            stop_local(started_head.temp_dir)
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
    )
    write_state(state)
    return state


def _dashboard_url(started_head: Any, current: ServeState | None) -> str | None:
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


def _deploy_app(
    target: str | None, bundle: dict[str, bytes], meta: dict[str, Any], opts: ServeOptions
) -> tuple[str, str]:
    import logging

    import ray
    from ray import serve

    from emoai_core.serving.app import build

    _connect(target)
    if not load_settings().debug:
        logging.getLogger("ray.serve").setLevel(logging.WARNING)
    actual = ray.get_runtime_context().gcs_address  # an in-process Ray has an address too
    serve.start(http_options={"host": opts.host, "port": opts.port})
    app = build(
        bundle,
        meta,
        _settings_for_replicas(opts),
        opts.replicas,
        opts.cpus_per_replica,
        opts.gpus_per_replica,
    )
    serve.run(app, name=APP_NAME, route_prefix="/", blocking=False)
    url = f"http://{'127.0.0.1' if opts.host in ('0.0.0.0', '::') else opts.host}:{opts.port}"
    wait_healthy(url)
    return actual, url


def is_running(state: ServeState) -> bool:
    import httpx

    try:
        return httpx.get(state.url.rstrip("/") + "/healthz", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def status(token: str | None = None) -> dict[str, Any]:
    """Application and replica states, route, URL, model and uptime of the running server."""
    state = read_state()
    if state is None:
        raise UsageError("no server is running", "start one: emoai serve --detach")
    info: dict[str, Any] = {
        "url": state.url,
        "route": "/",
        "address": state.address,
        "model": state.model,
        "run_id": state.run_id,
        "version": state.version,
        "uptime_s": time.time() - state.started,
        "healthy": is_running(state),
    }
    if state.address:
        info["application"] = _serve_status(state.address)
    if info["healthy"]:
        info["served_model"] = _served_model(state, token)
    return info


def _serve_status(address: str) -> dict[str, Any]:
    from ray import serve

    try:
        _connect(address)
    except UnreachableError as exc:
        return {"status": "UNREACHABLE", "message": exc.message}
    apps = serve.status().applications
    app = apps.get(APP_NAME)
    if app is None:
        return {"status": "NOT_DEPLOYED", "deployments": {}}
    deployments = {}
    for name, dep in app.deployments.items():
        deployments[name] = {
            "status": str(getattr(dep.status, "value", dep.status)),
            "replica_states": {str(getattr(k, "value", k)): v for k, v in dep.replica_states.items()},
            "message": dep.message,
        }
    return {
        "status": str(getattr(app.status, "value", app.status)),
        "message": app.message,
        "deployments": deployments,
        "route_prefix": getattr(app, "route_prefix", "/") or "/",
    }


def _served_model(state: ServeState, token: str | None) -> dict[str, Any] | None:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(state.url.rstrip("/") + "/model", headers=headers, timeout=5)
    except httpx.HTTPError:
        return None
    return response.json() if response.status_code == 200 else {"error": f"HTTP {response.status_code}"}


def stop() -> dict[str, Any]:
    """Delete the application, stop Serve's proxies (freeing the port) and any Ray head we started."""
    state = read_state()
    if state is None:
        return {"stopped": False, "message": "no server is running"}
    stopped_ray = False
    if state.address:
        try:
            from ray import serve

            _connect(state.address)
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
    state_file().unlink(missing_ok=True)
    return {"stopped": True, "url": state.url, "stopped_ray": stopped_ray}


def serve_foreground(
    model_folder: Path,
    opts: ServeOptions,
    *,
    address: str | None = None,
    model_name: str = "",
    on_ready: Any = None,
) -> None:
    """Serve until Ctrl-C, then take everything down cleanly."""
    import ray
    from ray import serve

    state = deploy(model_folder, opts, address=address, detach=False, model_name=model_name)
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
            state_file().unlink(missing_ok=True)
            ray.shutdown()
