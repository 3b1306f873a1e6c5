"""`emoai runs`: list, show, best, compare, promote, delete, stop and the MLflow UI."""

from __future__ import annotations

from typing import Any

import typer

from emoai_cli import console
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
    from emoai_cli.runs_view import render_list

    render_list(rows)


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
    from emoai_cli.runs_view import render_show

    render_show(info)


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
    metrics: str | None = typer.Option(
        None,
        "--metrics",
        "-m",
        help="Only metrics matching these glob patterns, comma-separated (e.g. 'eval_*' or "
        "'test_macro_f1,eval_*_macro_f1'); params are left out.",
        show_default=False,
    ),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
    all_keys: bool = typer.Option(False, "--all", help="Show equal values too."),
) -> None:
    """Params and metrics side by side; differences highlighted.

    Cross-dataset evaluations (eval_<dataset>_*) and behavioural failure rates (behaviour_*) are
    metrics like any other: --metrics 'eval_*' puts them side by side.
    """
    from emoai_cli.runs_view import render_compare
    from emoai_core.tracking.runs import compare_runs

    patterns = [p.strip() for p in metrics.split(",") if p.strip()] if metrics else None
    data = compare_runs(runs, metrics=patterns)
    if json_output:
        console.print_json(data)
        return
    render_compare(data, all_keys)


@app.command("promote")
def promote_cmd(
    run: str = typer.Argument(..., help=RUN_HELP),
    alias: str = typer.Option("production", "--alias", help="Registered-model alias to set."),
    gate: float | None = typer.Option(
        None,
        "--gate",
        help="Refuse (exit 1) unless the run passes at least this share of the behavioural suite, "
        "e.g. 0.8: the rate 'emoai eval RUN --suite' logged, else the suite is run now.",
        show_default=False,
    ),
    suite: list[str] | None = typer.Option(
        None, "--suite", help="With --gate: the suite (default: behaviour); repeatable.", show_default=False
    ),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Point an alias at the run's model and write its fast local copy."""
    from emoai_core.inference.gate import check_gate_value, promote_gated

    if gate is None and suite:
        from emoai_core.base.errors import UsageError

        raise UsageError("--suite chooses the suite of --gate", "add --gate RATE, e.g. --gate 0.8")
    if gate is not None:
        check_gate_value(gate)
    with console.progress(json_output) as progress:
        if gate is not None:
            progress(_phase("checking the behavioural gate"))
        result, checked = promote_gated(run, alias, gate, suite, on_event=progress)
    if json_output:
        console.print_json(
            {
                "run_id": result.run_id,
                "version": result.version,
                "alias": result.alias,
                "local_copy": str(result.local_copy),
            }
            | ({"gate": checked.to_json()} if checked else {})
        )
        return
    if checked:
        how = "measured now and logged" if checked.ran_now else "as logged by emoai eval --suite"
        console.info(
            f"behavioural pass rate {checked.pass_rate:.1%} ≥ gate {checked.gate:.1%} ({checked.suite}, {how})"
        )
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
