"""What the dashboard shows, behind one small interface per data source.

The app only ever talks to a `Sources` bundle: real adapters read MLflow and the Ray dashboard's
REST API; tests hand in fakes with the same methods. Every method is called from a thread
worker, never on the event loop, so adapters may block on I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class RunSummary:
    """One row of the runs table (a subset of `emoai runs list`)."""

    run_id: str
    name: str
    status: str
    kind: str
    started: float | None
    duration: float | None
    epoch: int | None
    epochs: int | None
    val_accuracy: float | None
    val_macro_f1: float | None
    data: str | None
    task: str | None = None  # single_label | multi_label (None: a run from before tasks were recorded)


@dataclass(frozen=True)
class RunDetail:
    summary: RunSummary
    params: dict[str, str]
    tags: dict[str, str]
    history: dict[str, list[tuple[int, float]]]  # metric -> [(epoch, value), ...]
    version: str | None
    aliases: list[str]
    progress: Any = None  # a running run's `tracking.progress.EpochProgress` (step, samples/s, ETA)


@dataclass(frozen=True)
class NodeUsage:
    name: str
    address: str
    alive: bool
    cpu_used: float
    cpu_total: float
    gpu_used: float
    gpu_total: float
    memory_used: float
    memory_total: float


@dataclass(frozen=True)
class ClusterView:
    dashboard_url: str
    nodes: list[NodeUsage]
    pending_demands: list[str]
    jobs: list[dict[str, Any]]


@dataclass(frozen=True)
class ServingView:
    url: str
    healthy: bool
    model: str
    run_id: str | None
    version: str | None
    uptime_s: float
    apps: list[dict[str, Any]] = field(default_factory=list)  # name, status, route_prefix, deployments
    ingress: str | None = None  # haproxy | proxy, as detected at deploy
    metrics: list[str] = field(default_factory=list)  # Prometheus scrape URLs
    live: dict[str, Any] | None = None  # `monitoring.summary.summarize` of the last LIVE_S seconds
    drift: dict[str, Any] | None = None  # `monitoring.report.model_drift` of the last DRIFT_S seconds
    live_s: float = 60.0
    drift_s: float = 900.0


class RunsSource(Protocol):
    def runs(self) -> list[RunSummary]: ...
    def detail(self, run_id: str) -> RunDetail: ...
    def promote(self, run_id: str) -> str: ...
    def stop(self, run_id: str) -> str: ...


class ClusterSource(Protocol):
    def cluster(self) -> ClusterView | None:
        """None when no cluster is up."""
        ...


class ServingSource(Protocol):
    def serving(self) -> ServingView | None:
        """None when no model is being served."""
        ...


@dataclass
class Sources:
    runs: RunsSource
    cluster: ClusterSource
    serving: ServingSource


def real_sources(
    dashboard_url: str | None = None, experiment: str | None = None, limit: int = 200
) -> Sources:
    from emoai_cli.dashboard.sources.mlflow_runs import MlflowRuns
    from emoai_cli.dashboard.sources.ray_cluster import RayCluster
    from emoai_cli.dashboard.sources.serving import ServeState

    return Sources(MlflowRuns(experiment, limit), RayCluster(dashboard_url), ServeState())
