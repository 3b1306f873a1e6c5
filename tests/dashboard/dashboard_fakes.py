"""Fake dashboard sources: the same methods as the real adapters, data the tests control."""

from __future__ import annotations

import threading
from dataclasses import replace

from emoai_cli.dashboard.sources import (
    ClusterView,
    NodeUsage,
    RunDetail,
    RunSummary,
    ServingView,
    Sources,
)

T0 = 1_764_000_000.0  # fixed start times keep snapshots stable


def run(i: int, status: str = "FINISHED", epoch: int | None = 4, **kw: object) -> RunSummary:
    base = dict(
        run_id=f"{i:02d}" + "ab" * 15,
        name=f"run-{i}",
        status=status,
        kind="train",
        started=T0 + 600 * i,
        duration=300.0 + i,
        epoch=epoch,
        epochs=4,
        val_accuracy=0.90 + i / 100,
        val_macro_f1=0.86 + i / 100,
        data="emotion@8858827056cf",
    )
    base.update(kw)
    return RunSummary(**base)  # type: ignore[arg-type]


class FakeRuns:
    def __init__(self, runs: list[RunSummary] | None = None) -> None:
        self.items = list(runs or [])
        self.history: dict[str, dict[str, list[tuple[int, float]]]] = {}
        self.promoted: list[str] = []
        self.stopped: list[str] = []
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = 0.0
        self.fail: str | None = None
        self.gate: threading.Event | None = None  # when set, a poll blocks until the test releases it
        self.progress: dict[str, object] = {}  # run id -> EpochProgress for running runs
        self._lock = threading.Lock()

    def runs(self) -> list[RunSummary]:
        import time

        with self._lock:
            self.calls += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            if self.gate is not None:
                self.gate.wait(timeout=30)
            if self.fail:
                raise RuntimeError(self.fail)
            return sorted(self.items, key=lambda r: r.started or 0, reverse=True)
        finally:
            with self._lock:
                self.in_flight -= 1

    def detail(self, run_id: str) -> RunDetail:
        summary = next(r for r in self.items if r.run_id == run_id)
        history = self.history.get(run_id) or {
            "train_loss": [(1, 0.9), (2, 0.5), (3, 0.35), (4, 0.3)],
            "val_loss": [(1, 0.6), (2, 0.45), (3, 0.4), (4, 0.41)],
            "val_accuracy": [(1, 0.85), (2, 0.9), (3, 0.92), (4, 0.93)],
            "val_macro_f1": [(1, 0.8), (2, 0.86), (3, 0.89), (4, 0.9)],
        }
        return RunDetail(
            summary,
            {"lr": "0.0002", "epochs": "4"},
            {"emoai.kind": "train"},
            history,
            "3",
            ["production"],
            self.progress.get(run_id),
        )

    def promote(self, run_id: str) -> str:
        self.promoted.append(run_id)
        return f"version 3 of run {run_id[:8]} is now @production"

    def stop(self, run_id: str) -> str:
        self.stopped.append(run_id)
        self.items = [replace(r, status="KILLED") if r.run_id == run_id else r for r in self.items]
        return f"sent Ctrl-C to run {run_id[:8]}"


class FakeCluster:
    def __init__(self, view: ClusterView | None = None) -> None:
        self.view = view
        self.delay = 0.0

    def cluster(self) -> ClusterView | None:
        import time

        time.sleep(self.delay)
        return self.view


class FakeServing:
    def __init__(self, view: ServingView | None = None) -> None:
        self.view = view
        self.delay = 0.0

    def serving(self) -> ServingView | None:
        import time

        time.sleep(self.delay)
        return self.view


def cluster_view(cpu_used: float = 1.0) -> ClusterView:
    return ClusterView(
        "http://127.0.0.1:8265",
        [
            NodeUsage("head", "10.0.0.1", True, cpu_used, 2.0, 0.0, 0.0, 6 * 1024**3, 24 * 1024**3),
            NodeUsage("worker", "10.0.0.2", True, 1.0, 2.0, 0.0, 0.0, 3 * 1024**3, 24 * 1024**3),
        ],
        ["{CPU: 1} × 2"],
        [{"id": "emoai-1234", "status": "RUNNING", "entrypoint": "emoai train --num-workers 2"}],
    )


def serving_view() -> ServingView:
    apps = [
        {
            "name": "emoai",
            "status": "RUNNING",
            "route_prefix": "/",
            "deployments": {"EmotionClassifier": {"status": "HEALTHY", "replica_states": {"RUNNING": 2}}},
        }
    ]
    live = {
        "requests": 412, "texts": 430, "req_per_s": 6.87, "errors": 3, "error_rate": 0.0073,
        "latency_ms": {"p50": 11.2, "p90": 25.0, "p99": 48.6},
        "labels": {"joy": 0.41, "sadness": 0.3, "anger": 0.14, "fear": 0.1, "love": 0.05},
        "confidence": {"mean": 0.83, "p10": 0.5, "below_0.5": 0.08},
    }  # fmt: skip
    checks = [
        {"name": "label distribution", "drift": False, "effect": 0.06},
        {"name": "confidence", "drift": False, "effect": 0.04},
        {"name": "text length", "drift": True, "effect": 0.41},
        {"name": "unknown-token share", "drift": True, "effect": 0.62},
    ]
    drift = {"model": "01" + "ab" * 15, "version": "3", "texts": 1650, "drift": True, "checks": checks}
    return ServingView(
        "http://127.0.0.1:8000", True, "@production", "01" + "ab" * 15, "3", 125.0, apps,
        ingress="haproxy", metrics=["http://127.0.0.1:44217/metrics"], live=live, drift=drift,
    )  # fmt: skip


def sources(
    runs: list[RunSummary] | None = None,
    cluster: ClusterView | None = None,
    serving: ServingView | None = None,
) -> Sources:
    return Sources(FakeRuns(runs), FakeCluster(cluster), FakeServing(serving))
