"""Is the server up, and what does it run: health, Serve's application and replica states, the model,
the ingress and where Prometheus scrapes its metrics.

Answered over HTTP (`/healthz`, `/model`) and from Serve's controller when the cluster is reachable
(the ingress is detected there; without the cluster, what the deploy detected is shown).
"""

from __future__ import annotations

import time
from typing import Any

from emoai_core.base.errors import EmoaiError, UnreachableError, UsageError
from emoai_core.base.settings import SERVE_APP_NAME as APP_NAME
from emoai_core.serving.state import ServeState, read_state


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
        "ingress": {"kind": state.ingress or "unknown", "detected": "at deploy"},
        "metrics": list(state.metrics),
    }
    if state.address:
        info["application"] = _serve_status(state.address)
        if info["application"]["status"] != "UNREACHABLE":
            info.update(_live_ingress_and_metrics(state))
    if info["healthy"]:
        info["served_model"] = _served_model(state, token)
    return info


def _serve_status(address: str) -> dict[str, Any]:
    from ray import serve

    from emoai_core.cluster.ray_env import connect

    try:
        connect(address)
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


def _live_ingress_and_metrics(state: ServeState) -> dict[str, Any]:
    import ray

    from emoai_core.serving.ingress import detect
    from emoai_core.serving.metrics import scrape_targets

    found = detect(state.ingress_files)
    return {"ingress": {**found, "detected": "now"}, "metrics": scrape_targets(ray.nodes()) or list(state.metrics)}


def _served_model(state: ServeState, token: str | None) -> dict[str, Any] | None:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.get(state.url.rstrip("/") + "/model", headers=headers, timeout=5)
    except httpx.HTTPError:
        return None
    return response.json() if response.status_code == 200 else {"error": f"HTTP {response.status_code}"}
