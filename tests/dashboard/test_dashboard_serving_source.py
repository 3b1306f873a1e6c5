"""The dashboard's real serving source: the state file plus the tailed prediction log (no server needed)."""

from __future__ import annotations

import json
import socket
import time

from emoai_cli.dashboard.sources.serving import LIVE_S, ServeState
from emoai_core.monitoring.features import UNK
from emoai_core.monitoring.reference import register_model
from emoai_core.serving.state import ServeState as State
from emoai_core.serving.state import write_state


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_live_traffic_and_drift_state_from_the_log(emoai_home):
    port = _closed_port()
    write_state(State(f"http://127.0.0.1:{port}", None, "127.0.0.1", port, "r1", "2", "@production", time.time(),
                      ingress="haproxy", metrics=["http://127.0.0.1:1/metrics"]))  # fmt: skip
    register_model("r1", emoai_home / "m", {"version": "2"}, None, UNK)
    folder = emoai_home / "monitor" / "predictions"
    folder.mkdir(parents=True)
    now = time.time()
    rows = [{"t": now - 5 - i * 0.1, "model": "r1", "v": "2", "req": f"q{i}", "n": 1, "ms": 10.0 + i, "chars": 20,
             "tokens": 5, "unk": 0.0, "label": "joy" if i % 4 else "fear", "score": 0.9} for i in range(40)]  # fmt: skip
    rows.append({"t": now - 2, "model": "r1", "v": "2", "req": "bad", "ms": 0.3, "status": 422, "error": "empty_text"})
    rows.append({"t": now - LIVE_S - 30, "model": "r1", "v": "2", "req": "old", "n": 1, "ms": 5.0, "chars": 3,
                 "tokens": 1, "unk": 0.0, "label": "joy", "score": 0.5})  # fmt: skip
    (folder / "predictions-20260101T000000.000000-a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    source = ServeState()
    view = source.serving()
    assert view.healthy is False and view.ingress == "haproxy" and view.metrics == ["http://127.0.0.1:1/metrics"]
    assert view.live["requests"] == 41 and view.live["errors"] == 1  # the old request is outside the last minute
    assert view.live["labels"] == {"joy": 0.75, "fear": 0.25}
    assert view.drift["model"] == "r1" and view.drift["drift"] is None and "training data" in view.drift["error"]
    assert view.drift["texts"] == 41  # the drift window (15 min) holds the old text too

    with (folder / "predictions-20260101T000000.000000-a.jsonl").open("a") as handle:
        handle.write(json.dumps({**rows[0], "t": time.time(), "req": "new"}) + "\n")
    again = source.serving()
    assert again.live["requests"] == 42  # only the appended line was read
    assert again.drift is view.drift  # drift is recomputed at most every DRIFT_EVERY seconds
