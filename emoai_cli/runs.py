"""`emoai runs`: list, show, best, compare, promote, delete, stop and the MLflow UI."""

from __future__ import annotations

from typing import Any

import typer

from emoai_cli import console
from emoai_cli.formatting import STATUS_STYLE
from emoai_cli.formatting import duration as _dur
from emoai_cli.formatting import num as _num
from emoai_cli.formatting import when as _when
from emoai_cli.help import LeanHelpGroup
from emoai_core.base.settings import REGISTERED_MODEL

app = typer.Typer(
    cls=LeanHelpGroup,
    help="Training runs tracked in MLflow: list, inspect, compare, promote.",
    no_args_is_help=True,
)

RUN_HELP = "Run id, unique id prefix, run name, or @alias."


@app.command("list")
def list_cmd(
    experiment: str | None = typer.Option(None, "--experiment", "-e", help="Only this experiment."),
    status: str | None = typer.Option(None, "--status", help="RUNNING, FINISHED, FAILED or KILLED."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="At most this many runs."),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Runs, newest first, with their data version, base model and best validation scores."""
    from emoai_core.tracking.listing import list_runs

    rows = list_runs(experiment, status, limit)
    if json_output:
        console.print_json([r.to_json() for r in rows])
        return
    if not rows:
        console.info("No runs yet.")
        console.hint("start one with: emoai train --epochs 1 --limit 2000")
        return
    _render_list(rows)


def _render_list(rows: list[Any]) -> None:
    from rich.table import Table

    table = Table(show_lines=False)
    for col in (
        "id",
        "name",
        "status",
        "started",
        "duration",
        "data",
        "base model",
        "epochs",
        "val acc",
        "val macro-F1",
        "model",
    ):
        table.add_column(col, justify="right" if col in ("epochs", "val acc", "val macro-F1") else "left")
    ids = {r.run_id for r in rows}
    for r in rows:
        indent = "  └ " if r.parent and r.parent in ids else ""
        style = STATUS_STYLE.get(r.status, "")
        epochs = f"{r.epoch or 0}/{r.epochs}" if r.epochs else (str(r.epoch) if r.epoch else "-")
        model = f"v{r.version}" + (" @" + ",@".join(r.aliases) if r.aliases else "") if r.version else "-"
        kind = " [dim](study)[/dim]" if r.kind == "tune" else ""
        kind += " [dim](multi-label)[/dim]" if r.task == "multi_label" else ""
        table.add_row(
            r.run_id[:8],
            f"{indent}{r.name}{kind}",
            f"[{style}]{r.status}[/{style}]",
            _when(r.started),
            _dur(r.duration),
            r.data or "-",
            (r.base_model or "-").split("/")[-1],
            epochs,
            _num(r.best_val_accuracy),
            _num(r.best_val_macro_f1),
            model,
        )
    console.out().print(table)


@app.command("show")
def show_cmd(
    run: str = typer.Argument(..., help=RUN_HELP),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Params, metrics, per-epoch history, artifacts, tags and registered version of one run."""
    from emoai_core.tracking.listing import show_run

    info = show_run(run)
    if json_output:
        console.print_json(info)
        return
    _render_show(info)


def _render_show(info: dict[str, Any]) -> None:
    from rich.table import Table

    out = console.out()
    style = STATUS_STYLE.get(info["status"], "")
    out.print(
        f"[bold]{info['name']}[/bold]  {info['run_id']}  [{style}]{info['status']}[/{style}]", highlight=False
    )
    model = f"{REGISTERED_MODEL} v{info['version']}" if info["version"] else "not registered"
    aliases = (" (@" + ", @".join(info["aliases"]) + ")") if info["aliases"] else ""
    out.print(
        f"started {_when(info['started'])} · {_dur(info['duration'])} · data {info['data'] or '-'} · "
        + (f"task {info['task'].replace('_', '-')} · " if info.get("task") else "")
        + f"base {info['base_model'] or '-'} · model {model}{aliases}",
        highlight=False,
    )
    history = info["history"]
    if history:
        table = Table(title="Per-epoch history", title_justify="left")
        table.add_column("epoch", justify="right")
        keys = list(history)
        for key in keys:
            table.add_column(key, justify="right")
        epochs = sorted({e for series in history.values() for e, _ in series})
        lookup = {k: dict(v) for k, v in history.items()}
        for epoch in epochs:
            table.add_row(str(epoch), *[_num(lookup[k].get(epoch)) for k in keys])
        out.print(table)
    for title, mapping in (("Params", info["params"]), ("Metrics", info["metrics"]), ("Tags", info["tags"])):
        table = Table(title=title, title_justify="left", show_header=False)
        table.add_column("key", style="dim")
        table.add_column("value")
        for key in sorted(mapping):
            value = mapping[key]
            table.add_row(key, _num(value) if isinstance(value, float) else str(value))
        out.print(table)
    out.print(f"artifacts: {', '.join(info['artifacts']) or '-'}  ({info['artifact_uri']})", highlight=False)
    out.print(f"checkpoints: {info['checkpoints']}", highlight=False)


@app.command("best")
def best_cmd(
    metric: str = typer.Option("best_val_macro_f1", "--metric", help="Metric to rank finished runs by."),
    mode: str = typer.Option("max", "--mode", help="max or min."),
    experiment: str | None = typer.Option(None, "--experiment", "-e", help="Only this experiment."),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """The finished run with the best value of a metric."""
    from emoai_core.tracking.runs import best_run

    run = best_run(metric, mode, experiment)
    data = {
        "run_id": run.info.run_id,
        "name": run.info.run_name,
        "metric": metric,
        "value": run.data.metrics[metric],
    }
    if json_output:
        console.print_json(data)
        return
    console.out().print(f"{data['run_id']}  {data['name']}  {metric} = {data['value']:.4f}", highlight=False)


@app.command("compare")
def compare_cmd(
    runs: list[str] = typer.Argument(..., help="Two or more runs."),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
    all_keys: bool = typer.Option(False, "--all", help="Show equal values too."),
) -> None:
    """Params and metrics side by side; differences highlighted."""
    from rich.table import Table

    from emoai_core.tracking.runs import compare_runs

    data = compare_runs(runs)
    if json_output:
        console.print_json(data)
        return
    table = Table()
    table.add_column("")
    for r in data["runs"]:
        table.add_column(f"{r['name']}\n{r['run_id'][:8]}", justify="right")
    different = set(data["different"])
    for section in ("params", "metrics"):
        for key, values in data[section].items():
            if key not in different and not all_keys:
                continue
            style = "bold yellow" if key in different else "dim"
            cells = [_num(v) if isinstance(v, float) else ("-" if v is None else str(v)) for v in values]
            table.add_row(f"[{style}]{key}[/{style}]", *cells)
    console.out().print(table)
    if not different:
        console.info("The runs have identical params and metrics.")


@app.command("promote")
def promote_cmd(
    run: str = typer.Argument(..., help=RUN_HELP),
    alias: str = typer.Option("production", "--alias", help="Registered-model alias to set."),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Point an alias at the run's model and write its fast local copy."""
    from emoai_core.tracking.promote import promote_run

    with console.progress(json_output) as progress:
        progress(_phase("exporting the model for fast loading"))
        result = promote_run(run, alias)
    if json_output:
        console.print_json(
            {
                "run_id": result.run_id,
                "version": result.version,
                "alias": result.alias,
                "local_copy": str(result.local_copy),
            }
        )
        return
    console.out().print(
        f"@{result.alias} → {REGISTERED_MODEL} v{result.version} (run {result.run_id})", highlight=False
    )
    console.info(f"local copy: {result.local_copy}")
    console.hint('try: emoai predict "i feel great"')


def _phase(text: str) -> Any:
    from emoai_core.base.events import LogEvent

    return LogEvent(text)


@app.command("delete")
def delete_cmd(
    run: str = typer.Argument(..., help=RUN_HELP),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a run with its registered versions, checkpoints and local copies."""
    from emoai_core.tracking.admin import delete_run
    from emoai_core.tracking.runs import resolve_run

    target = resolve_run(run)
    label = f"{target.info.run_id} ({target.info.run_name})"
    _confirm(yes, f"Delete run {label} with its model versions and checkpoints?")
    removed = delete_run(target.info.run_id)
    versions = ", ".join("v" + v for v in removed["versions"]) or "none"
    console.out().print(f"deleted run {label}; model versions: {versions}", highlight=False)


def _confirm(yes: bool, question: str) -> None:
    import sys

    from emoai_core.base.errors import UsageError

    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError("refusing to ask for confirmation without a terminal", "pass -y/--yes")
    if not typer.confirm(question, default=False, err=True):
        raise typer.Abort()


@app.command("stop")
def stop_cmd(run: str = typer.Argument(..., help=RUN_HELP)) -> None:
    """Stop a running training run cleanly (it keeps its checkpoints and can be resumed)."""
    from emoai_core.tracking.admin import stop_run

    console.out().print(stop_run(run), highlight=False)


@app.command("ui")
def ui_cmd(
    port: int = typer.Option(5000, "--port", help="Port for the MLflow UI."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (default: this machine only)."),
) -> None:
    """Start the MLflow UI on the same store (Ctrl-C stops it)."""
    import subprocess

    from emoai_core.base.settings import ensure_service_env, load_settings
    from emoai_core.tracking.admin import mlflow_ui_command

    ensure_service_env()
    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    console.info(f"MLflow UI for {settings.tracking_uri} at http://{host}:{port} (Ctrl-C to stop)")
    proc = subprocess.Popen(mlflow_ui_command(host, port))
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=10)
        raise
    if code:
        raise typer.Exit(code)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="runs")
