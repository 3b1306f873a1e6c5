"""The cluster `emoai cluster up` started, remembered in $EMOAI_HOME/cluster.json.

Read by every command that needs Ray (so `emoai train` runs on it without --address) and by the
TUI; deliberately tiny and import-light.
"""

from __future__ import annotations

import json
from typing import Any

from emoai_core.base.settings import cluster_record, paths


def read_state() -> dict[str, Any] | None:
    return cluster_record(paths().home) or None


def write_state(state: dict[str, Any]) -> None:
    from emoai_core.base.atomic import atomic_write_text

    atomic_write_text(paths().cluster_state, json.dumps(state, indent=2) + "\n")


def clear_state() -> None:
    paths().cluster_state.unlink(missing_ok=True)


def current_address() -> str | None:
    state = read_state()
    return state.get("address") if state else None


def current_dashboard_url() -> str | None:
    state = read_state()
    return state.get("dashboard_url") if state else None
