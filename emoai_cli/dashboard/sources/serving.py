"""The server `emoai serve` started: its state file, /healthz, Serve's own app status, and what the
prediction log says about the last minutes (traffic, latency, errors, labels, drift).

The log is tailed (`monitoring.records.LogTail`: only new bytes are read each poll); drift is
computed at most every DRIFT_EVERY seconds over the last DRIFT_S, since it compares hundreds of
texts with the model's reference (built once, then cached).
"""

from __future__ import annotations

import time
from typing import Any

from emoai_cli.dashboard.sources import ServingView

LIVE_S = 60.0
DRIFT_S = 900.0
DRIFT_EVERY = 30.0


class ServeState:
    def __init__(self) -> None:
        self.tail: Any = None
        self.drift: dict[str, Any] | None = None
        self.drift_at = 0.0

    def serving(self) -> ServingView | None:
        from emoai_core.serving.state import read_state
        from emoai_core.serving.status import is_running

        state = read_state()
        if state is None:
            return None
        healthy = is_running(state)
        now = time.time()
        records = self._records(now)
        return ServingView(
            url=state.url,
            healthy=healthy,
            model=state.model,
            run_id=state.run_id,
            version=state.version,
            uptime_s=now - state.started,
            apps=_apps(state.dashboard_url) if healthy and state.dashboard_url else [],
            ingress=state.ingress,
            metrics=list(state.metrics),
            live=self._live(records, now),
            drift=self._drift(records, now),
            live_s=LIVE_S,
            drift_s=DRIFT_S,
        )

    def _records(self, now: float) -> list[dict[str, Any]]:
        from emoai_core.base.settings import paths
        from emoai_core.monitoring.records import LogTail

        if self.tail is None or self.tail.folder != paths().prediction_logs:
            self.tail = LogTail(paths().prediction_logs, DRIFT_S)
        return self.tail.refresh(now)

    def _live(self, records: list[dict[str, Any]], now: float) -> dict[str, Any]:
        from emoai_core.monitoring.summary import summarize

        return summarize([r for r in records if float(r.get("t", 0)) >= now - LIVE_S], now - LIVE_S, now)

    def _drift(self, records: list[dict[str, Any]], now: float) -> dict[str, Any] | None:
        """Drift of the model that served most texts in the last DRIFT_S seconds (refreshed every DRIFT_EVERY)."""
        if now - self.drift_at < DRIFT_EVERY:
            return self.drift
        from collections import Counter

        from emoai_core.monitoring.records import is_error
        from emoai_core.monitoring.report import model_drift

        served = [r for r in records if not is_error(r)]
        if not served:
            self.drift, self.drift_at = None, now
            return None
        key = Counter(str(r.get("model")) for r in served).most_common(1)[0][0]
        self.drift = model_drift(key, [r for r in served if str(r.get("model")) == key], None)
        self.drift_at = now
        return self.drift


def _apps(dashboard_url: str) -> list[dict]:
    from emoai_core.base.errors import EmoaiError
    from emoai_core.cluster.dashboard import DashboardClient

    try:
        return DashboardClient(dashboard_url, timeout=5.0).serve_apps()
    except EmoaiError:
        return []
