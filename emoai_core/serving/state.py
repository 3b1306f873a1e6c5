"""What `emoai serve` started, remembered in $EMOAI_HOME/serve.json so `status` and `stop` find it.

Light on purpose: the dashboard and `serve status` read it without importing Ray.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from emoai_core.base.settings import paths


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
    ingress: str | None = None  # what `ingress.detect` found after the deploy: haproxy | proxy | …
    ingress_files: str | None = None  # this machine's HAProxy folder, removed at stop
    metrics: list[str] = field(default_factory=list)  # Prometheus scrape URLs of Ray's nodes
    history: list[dict[str, Any]] = field(default_factory=list)


def read_state() -> ServeState | None:
    try:
        return ServeState(**json.loads(paths().serve_state.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def write_state(state: ServeState) -> None:
    from emoai_core.base.atomic import atomic_write_text

    atomic_write_text(paths().serve_state, json.dumps(asdict(state), indent=2) + "\n")


def clear_state() -> None:
    paths().serve_state.unlink(missing_ok=True)
