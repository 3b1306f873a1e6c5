"""Rendering a training run in the terminal: a live step bar plus one line per epoch.

Shared by `emoai train` and `emoai tune`'s summary; everything goes to stderr so stdout stays
free for `--json`.
"""

from __future__ import annotations

from typing import Any

from emoai_cli import console
from emoai_core.base.settings import REGISTERED_MODEL


def fmt_metrics(
    metrics: dict[str, Any],
    keys: tuple[str, ...] = ("train_loss", "val_loss", "val_accuracy", "val_macro_f1", "val_micro_f1"),
) -> str:
    parts = []
    for key in keys:
        value = metrics.get(key)
        if isinstance(value, int | float):
            parts.append(f"{key} {value:.4f}")
    return "  ".join(parts)


class TrainView:
    """Callable event sink for `emoai_core.training.run`; keeps the run id for the Ctrl-C message."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self.run_id: str | None = None
        self.started: Any = None
        self._progress = None
        self._task = None
        self._best: float | None = None
        self._metric = "val_macro_f1"

    def __enter__(self) -> TrainView:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop_bar()

    def _stop_bar(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __call__(self, event: object) -> None:
        from emoai_core.training.events import (
            EpochReport,
            Phase,
            Restored,
            RunStarted,
            StepProgress,
            WorkerFailed,
        )

        if isinstance(event, Phase):
            console.info(f"[dim]… {event.name}[/dim]")
        elif isinstance(event, RunStarted):
            self._on_start(event)
        elif isinstance(event, StepProgress):
            self._on_step(event)
        elif isinstance(event, EpochReport):
            self._on_epoch(event)
        elif isinstance(event, WorkerFailed):
            self._on_worker_failed(event)
        elif isinstance(event, Restored):
            target = self._progress.console if self._progress is not None else console.err()
            target.print(
                f"workers started from the checkpoint of epoch {event.epoch} ({event.checkpoint})",
                highlight=False,
                markup=False,
            )

    def _on_start(self, event: Any) -> None:
        self.run_id = event.run_id
        self.started = event
        gpu = f" + {event.gpu_per_worker:g} GPU" if event.gpu_per_worker else ""
        resumed = f" · resuming after epoch {event.resumed_from_epoch}" if event.resumed_from_epoch else ""
        console.info(
            f"[bold]Run[/bold] {event.run_id} ([cyan]{event.run_name}[/cyan]) · data {event.data} · "
            f"{event.num_workers} worker(s) × {event.cpu_per_worker:g} CPU{gpu} · {event.train_rows} rows · "
            f"{event.epochs} epoch{'s' if event.epochs != 1 else ''}{resumed}"
        )
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("[bold]epoch {task.fields[epoch]}/{task.fields[epochs]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]}"),
                TimeElapsedColumn(),
                console=console.err(),
                transient=True,
            )
            self._progress.start()

    def _on_step(self, event: Any) -> None:
        if self._progress is None:
            return
        fields = {
            "epoch": event.epoch,
            "epochs": self.started.epochs if self.started else "?",
            "loss": f"{event.loss:.4f}",
        }
        if self._task is None:
            self._task = self._progress.add_task("train", total=event.steps_per_epoch, **fields)
        self._progress.update(self._task, completed=event.step, total=event.steps_per_epoch, **fields)

    def _on_worker_failed(self, event: Any) -> None:
        from rich.markup import escape

        target = self._progress.console if self._progress is not None else console.err()
        target.print(
            f"[yellow]worker failed:[/yellow] {escape(event.error)} · Ray Train restarts the workers "
            "from the last checkpoint while retries remain",
            highlight=False,
        )

    def _on_epoch(self, event: Any) -> None:
        metrics = event.metrics
        value = metrics.get(self._metric)
        mark = ""
        if isinstance(value, int | float) and (self._best is None or value > self._best):
            self._best = value
            mark = "  [green]best[/green]"
        seconds = metrics.get("epoch_seconds")
        took = f"  ({seconds:.0f} s)" if isinstance(seconds, int | float) else ""
        line = f"epoch {event.epoch}/{event.epochs}  {fmt_metrics(metrics)}{took}{mark}"
        target = self._progress.console if self._progress is not None else console.err()
        target.print(line, highlight=False)
        if self._progress is not None and self._task is not None:
            self._progress.reset(self._task)


def next_steps(run_id: str) -> list[str]:
    return [
        f"emoai runs show {run_id}",
        f"emoai eval {run_id}",
        f"emoai runs promote {run_id}",
        "emoai runs ui",
    ]


def print_result(result: Any) -> None:
    """The end-of-run summary on stderr: run id, metrics, next commands."""
    from rich.table import Table

    table = Table(title=f"Run {result.run_id} ({result.run_name})", show_header=True, title_justify="left")
    table.add_column("metric")
    table.add_column(f"best (epoch {result.best_epoch})", justify="right")
    table.add_column("last epoch", justify="right")
    for key in ("train_loss", "val_loss", "val_accuracy", "val_macro_f1", "val_micro_f1"):
        best, last = result.best_metrics.get(key), result.metrics.get(key)
        if best is None and last is None:
            continue
        table.add_row(
            key, f"{best:.4f}" if best is not None else "-", f"{last:.4f}" if last is not None else "-"
        )
    console.err().print(table)
    version = (
        f"registered as {REGISTERED_MODEL} version {result.model_version}" if result.model_version else "no model"
    )
    console.info(f"{version} · {result.seconds / 60:.1f} min · data {result.data}")
    console.info("[bold]Next:[/bold]")
    for cmd in next_steps(result.run_id):
        console.info(f"  {cmd}")
