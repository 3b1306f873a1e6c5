"""Reading the dashboard's sources: each part on a daemon thread of its own, never waiting on another.

The runs (with the open run's detail), the cluster and the server are separate parts: a slow
cluster or server (an HTTP timeout, a first drift reference being built) never holds back the runs
table, and a part never overlaps itself (`r` during a read queues exactly one more of it). The
threads are daemons outside the event loop's executor, so quitting never waits for a read that
hangs: `asyncio.run` joins its default executor on the way out, which held `q` for as long as the
slowest read (~20 s with a training run loading the CPU).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emoai_cli.dashboard.sources import ClusterView, RunDetail, RunSummary, ServingView, Sources

PARTS = ("runs", "cluster", "serving")


def describe_error(exc: BaseException) -> str:
    """One line for a pane: emoai errors carry their hint, anything else its type."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    hint = getattr(exc, "hint", None)
    return f"{message} ({hint})" if hint else message


@dataclass
class Snapshot:
    runs: list[RunSummary] | None = None
    cluster: ClusterView | None = None
    serving: ServingView | None = None
    detail: RunDetail | None = None
    detail_id: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    parts: frozenset[str] = frozenset(PARTS)  # what this snapshot carries (the others are not news)


def _read(snapshot: Snapshot, key: str, fetch: Callable[[], Any]) -> Any:
    try:
        return fetch()
    except Exception as exc:  # a source failing must not take the TUI down: its pane says why
        snapshot.errors[key] = describe_error(exc)
        return None


def read_part(sources: Sources, part: str, detail_id: str | None) -> Snapshot:
    """Read one part (runs a worker thread)."""
    snap = Snapshot(detail_id=detail_id, parts=frozenset({part}))
    if part == "runs":
        snap.runs = _read(snap, "runs", sources.runs.runs)
        if detail_id:
            snap.detail = _read(snap, "detail", lambda: sources.runs.detail(detail_id))
    elif part == "cluster":
        snap.cluster = _read(snap, "cluster", sources.cluster.cluster)
    elif part == "serving":
        snap.serving = _read(snap, "serving", sources.serving.serving)
    return snap


def gather(sources: Sources, detail_id: str | None) -> Snapshot:
    """Every part at once, in this thread."""
    snap = Snapshot(detail_id=detail_id)
    for part in PARTS:
        got = read_part(sources, part, detail_id)
        snap.errors.update(got.errors)
        for name in ("runs", "cluster", "serving", "detail"):
            if getattr(got, name) is not None:
                setattr(snap, name, getattr(got, name))
    return snap


class Poller:
    """Which parts are being read, which are queued, and how often each has landed.

    Only the event loop's thread calls `start` and `landed`; the reads post their snapshots back.
    """

    def __init__(self, sources: Sources, post: Callable[[Snapshot], None]) -> None:
        self.sources = sources
        self.post = post
        self.in_flight: set[str] = set()
        self.queued: set[str] = set()
        self.count: Counter[str] = Counter()

    def start(self, detail_id: str | None, parts: tuple[str, ...] = PARTS) -> None:
        for part in parts:
            if part in self.in_flight:
                self.queued.add(part)
                continue
            self.in_flight.add(part)
            thread = threading.Thread(
                target=self._run, args=(part, detail_id), name=f"dashboard-{part}", daemon=True
            )
            thread.start()

    def _run(self, part: str, detail_id: str | None) -> None:
        self.post(read_part(self.sources, part, detail_id))

    def landed(self, snapshot: Snapshot) -> tuple[str, ...]:
        """Mark the snapshot's parts done; returns those queued meanwhile (to start again)."""
        again = []
        for part in snapshot.parts:
            self.in_flight.discard(part)
            self.count[part] += 1
            if part in self.queued:
                self.queued.discard(part)
                again.append(part)
        return tuple(again)

    @property
    def rounds(self) -> int:
        """How many times every part has landed (tests wait on this)."""
        return min(self.count[p] for p in PARTS)
