"""`emoai tune`: a live table of trials while Ray Tune searches, a summary at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from emoai_cli import console
from emoai_cli.formatting import STATUS_STYLE
from emoai_cli.train_options import (
    address_option,
    as_args,
    config_overrides,
    env_file_option,
    storage_option,
    submit_option,
    wait_option,
    with_train_options,
)
from emoai_core.base.settings import REGISTERED_MODEL

STUDY = "Study"


@with_train_options
def tune(
    num_trials: int = typer.Option(4, "--num-trials", help="Trials to run.", rich_help_panel=STUDY),
    max_concurrent: int = typer.Option(2, "--max-concurrent", help="Trials at once.", rich_help_panel=STUDY),
    search_space: Path | None = typer.Option(
        None,
        "--search-space",
        help="YAML: per field a distribution (default: lr, warmup, weight decay, batch size, dropout).",
        rich_help_panel=STUDY,
    ),
    search: str = typer.Option("random", "--search", help="random or optuna.", rich_help_panel=STUDY),
    scheduler: str = typer.Option(
        "asha", "--scheduler", help="asha (stops bad trials early) or fifo.", rich_help_panel=STUDY
    ),
    metric: str = typer.Option("val_macro_f1", "--metric", help="Metric to optimise.", rich_help_panel=STUDY),
    mode: str = typer.Option("max", "--mode", help="max or min.", rich_help_panel=STUDY),
    promote: bool = typer.Option(
        False, "--promote", help="Promote the best trial to production.", rich_help_panel=STUDY
    ),
    config: Path | None = typer.Option(
        None, "--config", help="YAML/JSON file of training options (the fixed part)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    address: str | None = address_option(),
    wait: bool = wait_option(),
    submit: bool = submit_option(),
    env_file: Path | None = env_file_option(),
    storage: str | None = storage_option(),
    **options: Any,
) -> None:
    """Search training hyperparameters with Ray Tune (ASHA early stopping), tracked in MLflow."""
    from emoai_core.cluster.jobs import should_submit
    from emoai_core.training.config import build_config, load_config_file
    from emoai_core.tuning.options import TuneOptions, check_options
    from emoai_core.tuning.space import load_space
    from emoai_core.tuning.study import tune as run_tune

    opts = TuneOptions(num_trials, max_concurrent, search, scheduler, metric, mode, promote)
    check_options(opts)
    overrides = config_overrides(options)
    if should_submit(submit, address):
        from emoai_cli.train import job_setup, run_submitted

        env, overrides, extra = job_setup(address, env_file, overrides)
        study = [
            "--num-trials",
            str(num_trials),
            "--max-concurrent",
            str(max_concurrent),
            "--search",
            search,
            "--scheduler",
            scheduler,
            "--metric",
            metric,
            "--mode",
            mode,
            *(["--promote"] if promote else []),
        ]
        run_submitted(["tune", *study, *as_args(overrides)], address, env, extra)
        return
    base = load_config_file(config) if config else {}
    fixed = build_config(base, overrides)
    space = load_space(search_space, fixed.model_dump())
    view = TuneView(console.progress_enabled(json_output))
    try:
        with view:
            result = run_tune(fixed, space, opts, address=address, wait=wait, on_event=view)
    except KeyboardInterrupt:
        if view.study:
            console.err().print(
                f"[yellow]Stopped.[/yellow] Study {view.study} and its running trials are marked KILLED."
            )
            console.exit_interrupted()
        raise
    if json_output:
        console.print_json(
            {
                "run_id": result.run_id,
                "run_name": result.run_name,
                "metric": result.metric,
                "mode": result.mode,
                "best_run_id": result.best_run_id,
                "best_value": result.best_value,
                "best_params": result.best_params,
                "model_version": result.version,
                "promoted": result.promoted,
                "seconds": result.seconds,
                "trials": [t.__dict__ for t in result.trials],
            }
        )
    _summary(result)


SHORT_NAMES = {"warmup_ratio": "warmup", "weight_decay": "wd", "batch_size": "batch", "label_smoothing": "ls"}


def _param(value: str) -> str:
    """Trial params arrive as MLflow strings: numbers get 3 significant digits so tables fit."""
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if number.is_integer() and "." not in value else f"{number:.3g}"


def _table(rows: list[Any], metric: str, pending: int = 0, best_id: str | None = None) -> Any:
    from rich.table import Table

    table = Table(
        title=f"trials ({pending} pending)" if pending else "trials",
        title_justify="left",
        box=None,  # no borders: ten columns must fit an 80-column terminal
        pad_edge=False,
        padding=(0, 1, 0, 0),  # one space between columns
        header_style="bold",
    )
    names = [SHORT_NAMES.get(p, p) for p in (rows[0].params if rows else {})]
    table.add_column("trial", no_wrap=True)  # the id prefix `emoai runs show` takes: names are too wide
    cells = [_cells(row, best_id) for row in rows]
    for i, col in enumerate(("state", *names, "epoch", metric.removeprefix("val_"), "best"), start=1):
        width = max([len(col)] + [len(str(c[i])) for c in cells])  # str() of a Text is its plain text
        table.add_column(col, justify="left" if col == "state" else "right", no_wrap=True, min_width=width)
    for row_cells in cells:
        table.add_row(*row_cells)
    return table


def _cells(row: Any, best_id: str | None) -> list[Any]:
    from rich.text import Text

    state = row.status if row.status != "KILLED" else "STOPPED"
    return [
        f"{row.run_id[:8]} *" if row.run_id == best_id else row.run_id[:8],
        Text(state, style=STATUS_STYLE.get(row.status, "")),
        *(_param(v) for v in row.params.values()),
        str(row.epoch),
        f"{row.metric:.4f}" if row.metric is not None else "-",
        f"{row.best:.4f}" if row.best is not None else "-",
    ]


class TuneView:
    """Live trial table on stderr (only for a human at a terminal)."""

    def __init__(self, live: bool) -> None:
        self.live_enabled = live
        self.live = None
        self.study: str | None = None

    def __enter__(self) -> TuneView:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()

    def __call__(self, event: object) -> None:
        from emoai_core.training.events import Phase
        from emoai_core.tuning.options import StudyStarted, TrialsUpdate

        if isinstance(event, Phase):
            console.info(f"[dim]… {event.name}[/dim]")
        elif isinstance(event, StudyStarted):
            self.study = event.run_id
            console.info(
                f"[bold]Study[/bold] {event.run_id} ({event.run_name}) · {event.num_trials} trials, "
                f"{event.max_concurrent} at once, {event.cpu_per_worker:g} CPU per worker"
            )
            console.info("space: " + ", ".join(f"{k} {v}" for k, v in event.space.items()))
            if self.live_enabled:
                from rich.live import Live

                self.live = Live(console=console.err(), refresh_per_second=2, transient=False)
                self.live.start()
        elif isinstance(event, TrialsUpdate) and self.live is not None:
            self.live.update(_table(event.trials, event.metric, event.pending))


def _summary(result: Any) -> None:
    console.err().print(_table(result.trials, result.metric, best_id=result.best_run_id))
    if result.best_run_id is None:
        console.info("no trial finished; nothing was registered")
        return
    console.info(
        f"best trial {result.best_run_id} · {result.metric} {result.best_value:.4f} · "
        f"registered as {REGISTERED_MODEL} v{result.version}" + (" · promoted" if result.promoted else "")
    )
    console.info("[bold]Next:[/bold]")
    for cmd in (
        f"emoai runs show {result.best_run_id}",
        f"emoai eval {result.best_run_id}",
        *([] if result.promoted else [f"emoai runs promote {result.best_run_id}"]),
        "emoai runs list",
    ):
        console.info(f"  {cmd}")


def register(app: typer.Typer) -> None:
    app.command("tune", help="Search training hyperparameters with Ray Tune, tracked in MLflow.")(tune)
