"""The server `emoai serve` started: its state file, /healthz, /model, and Serve's own app status."""

from __future__ import annotations

import time

from emoai_cli.dashboard.sources import ServingView


class ServeState:
    def serving(self) -> ServingView | None:
        from emoai_core.serving.state import read_state
        from emoai_core.serving.status import is_running

        state = read_state()
        if state is None:
            return None
        healthy = is_running(state)
        return ServingView(
            url=state.url,
            healthy=healthy,
            model=state.model,
            run_id=state.run_id,
            version=state.version,
            uptime_s=time.time() - state.started,
            apps=_apps(state.dashboard_url) if healthy and state.dashboard_url else [],
        )


def _apps(dashboard_url: str) -> list[dict]:
    from emoai_core.base.errors import EmoaiError
    from emoai_core.cluster.dashboard import DashboardClient

    try:
        return DashboardClient(dashboard_url, timeout=5.0).serve_apps()
    except EmoaiError:
        return []
