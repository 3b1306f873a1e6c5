"""Runs from MLflow (any tracking store), through `emoai_core.tracking.runs`."""

from __future__ import annotations

from typing import Any

from emoai_cli.dashboard.sources import RunDetail, RunSummary


def summary_from_row(row: Any) -> RunSummary:
    return RunSummary(
        run_id=row.run_id,
        name=row.name,
        status=row.status,
        kind=row.kind,
        started=row.started,
        duration=row.duration,
        epoch=row.epoch,
        epochs=row.epochs,
        val_accuracy=row.best_val_accuracy,
        val_macro_f1=row.best_val_macro_f1,
        data=row.data,
        task=row.task,
    )


class MlflowRuns:
    def __init__(self, experiment: str | None = None, limit: int = 200) -> None:
        self.experiment = experiment
        self.limit = limit
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:  # one client for the app's life: creating one costs a db check
            from emoai_core.tracking.store import client

            self._client = client()
        return self._client

    def runs(self) -> list[RunSummary]:
        from emoai_core.tracking.listing import list_runs

        return [summary_from_row(r) for r in list_runs(self.experiment, None, self.limit, self.client())]

    def detail(self, run_id: str) -> RunDetail:
        from emoai_core.tracking.listing import show_run

        info = show_run(run_id, self.client())
        history = {k: [(int(e), float(v)) for e, v in pts] for k, pts in info["history"].items()}
        row = _RowView(info)
        progress = None
        if info.get("status") == "RUNNING":
            from emoai_core.tracking.progress import run_progress

            progress = run_progress(self.client(), info["run_id"], info["params"])
        return RunDetail(
            summary=summary_from_row(row),
            params=info["params"],
            tags={k: v for k, v in info["tags"].items() if not k.startswith("mlflow.")},
            history=history,
            version=info["version"],
            aliases=list(info["aliases"]),
            progress=progress,
        )

    def promote(self, run_id: str) -> str:
        from emoai_core.tracking.promote import promote_run

        result = promote_run(run_id, client=self.client())
        return f"version {result.version} of run {run_id[:8]} is now @{result.alias}"

    def stop(self, run_id: str) -> str:
        from emoai_core.tracking.admin import stop_run

        return stop_run(run_id, self.client())


class _RowView:
    """`show_run`'s dict seen through the attributes `summary_from_row` reads."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.__dict__.update(info)
