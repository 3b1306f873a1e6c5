"""`emoai eval`: the full report for one split, logged to the evaluated run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from emoai_cli import console


def evaluate(
    run: str | None = typer.Argument(
        None, help="Run to evaluate (default: @production, else the best run).", show_default=False
    ),
    data: str | None = typer.Option(
        None,
        "--data",
        help="Data version NAME\\[@VERSION] (default: the run's data). Another dataset's labels must be "
        "among the model's (map them first: emoai data map); its metrics are logged as eval_<name>_*.",
    ),
    split: str = typer.Option("test", "--split", help="Split to evaluate."),
    model_dir: Path | None = typer.Option(
        None, "--model-dir", help="Evaluate a model folder instead of a run."
    ),
    ray: bool | None = typer.Option(
        None, "--ray/--no-ray", help="Batch inference through Ray Data (default: for 10,000+ rows)."
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Multi-label models: one threshold for every label (default: fitted)."
    ),
    suite: list[str] | None = typer.Option(
        None,
        "--suite",
        help="Run behavioural tests instead of scoring a split: 'behaviour' (the shipped suite), or a "
        "YAML file or folder of your own; repeatable. Each test's failure rate is logged to the run.",
        show_default=False,
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="With --suite: the first failures of each test."
    ),
    json_output: bool = typer.Option(False, "--json", help="JSON report on stdout."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Also write the report, confusion matrix JSON and PNG to this folder."
    ),
) -> None:
    """Accuracy, macro/weighted/micro precision-recall-F1, per-class table, confusion matrix, slices.

    With --suite: minimum-functionality, invariance and directional tests (negation, emoji, casing,
    typos, mentions, URLs, names, places, neutral statements) and the failure rate of each.
    """
    from emoai_core.base.events import ProgressEvent
    from emoai_core.data.versions import resolve_version
    from emoai_core.inference import select as model_select
    from emoai_core.inference.evaluate import evaluate as run_eval
    from emoai_core.inference.evaluate import log_evaluation, metric_prefix, write_outputs

    if model_dir is not None and run:
        from emoai_core.base.errors import UsageError

        raise UsageError("pass a RUN or --model-dir, not both")
    if suite and (data or output or threshold is not None):
        from emoai_core.base.errors import UsageError

        raise UsageError("--suite runs the behavioural tests: --data, --output and --threshold do not apply")
    choice = (
        model_select.choose(model_dir=model_dir)
        if model_dir
        else model_select.choose(run=run)
        if run
        else model_select.default_for_eval()
    )
    if suite:
        _behaviour(choice, suite, json_output, verbose)
        return
    run_data = _run_data(choice.run_id)
    dv = resolve_version(data or run_data)
    prefix = metric_prefix(dv, split, run_data) if choice.run_id else split  # no run: nothing to keep apart
    with console.progress(json_output) as progress:
        report = run_eval(
            choice.path,
            dv,
            split,
            model_name=choice.description,
            run_id=choice.run_id,
            use_ray=ray,
            threshold=threshold,
            on_progress=lambda done, total: progress(ProgressEvent("eval", done, total, "predicting")),
        )
    if choice.run_id:
        log_evaluation(choice.run_id, report, prefix)
        report.extra["metric_prefix"] = prefix
    files = write_outputs(report, output, prefix) if output else {}
    if json_output:
        console.print_json(report.to_json())
    else:
        _render(report)
    if files:
        console.info("wrote " + ", ".join(str(p) for p in files.values()))
    if choice.run_id:
        console.info(f"logged {prefix}_* metrics and the report to run {choice.run_id}")


def _behaviour(choice: Any, suite: list[str], json_output: bool, verbose: bool) -> None:
    from emoai_cli.behaviour_view import render_behaviour
    from emoai_core.inference.behaviour import load_suite
    from emoai_core.inference.behaviour_run import evaluate_behaviour, log_behaviour

    tests = load_suite(suite)
    report = evaluate_behaviour(choice.path, tests, choice.description, choice.run_id)
    if choice.run_id:
        log_behaviour(choice.run_id, report)
    if json_output:
        console.print_json(report.to_json())
    else:
        render_behaviour(report, verbose)
    if choice.run_id:
        console.info(f"logged behaviour_*_failure_rate and behaviour_pass_rate to run {choice.run_id}")


def _run_data(run_id: str | None) -> str | None:
    """The exact data version the run trained on (its tag), so eval uses the same label set."""
    if not run_id:
        return None
    from emoai_core.tracking.store import client

    data = client().get_run(run_id).data.tags.get("emoai.data")
    return data.split(",")[0] if data else None  # trained on several: the first, unless --data says


def _render(report: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console.out()
    out.print(
        f"[bold]{escape(report.model)}[/bold] on {escape(report.data)} \\[{report.split}], {report.rows:,} rows "
        f"({report.backend}, {report.seconds:.1f} s)",
        highlight=False,
    )
    multi = report.task == "multi_label"
    if report.not_in_data:
        missing = ", ".join(escape(n) for n in report.not_in_data)
        out.print(
            f"scored over the {len(report.scored_labels)} labels the data has; not in it: {missing}"
            + ("" if multi else " (a prediction of one counts as wrong)"),
            highlight=False,
        )
    if multi:
        out.print(
            f"subset accuracy [bold]{report.accuracy:.4f}[/bold] · Hamming loss {report.hamming_loss:.4f}",
            highlight=False,
        )
    else:
        out.print(f"accuracy [bold]{report.accuracy:.4f}[/bold]", highlight=False)
    avg = Table(title="Averages", title_justify="left")
    for col in ("average", "precision", "recall", "F1"):
        avg.add_column(col, justify="left" if col == "average" else "right")
    for name, values in report.averages.items():
        avg.add_row(name, f"{values['precision']:.4f}", f"{values['recall']:.4f}", f"{values['f1']:.4f}")
    out.print(avg)
    per = Table(title="Per class", title_justify="left")
    for col in ("label", "precision", "recall", "F1", "support", *(("threshold",) if multi else ())):
        per.add_column(col, justify="left" if col == "label" else "right")
    for row in report.per_class:
        per.add_row(
            escape(row["label"]),
            f"{row['precision']:.4f}",
            f"{row['recall']:.4f}",
            f"{row['f1']:.4f}",
            str(row["support"]),
            *((f"{row['threshold']:.2f}",) if multi else ()),
        )
    out.print(per)
    out.print(_confused_pairs(report) if multi else _confusion_table(report))
    sl = Table(title="Slices", title_justify="left")
    for col in ("slice", "size", "accuracy", "macro F1"):
        sl.add_column(col, justify="left" if col == "slice" else "right")
    for s in report.slices:
        sl.add_row(
            f"{s['name']} ({s['description']})",
            str(s["size"]),
            f"{s['accuracy']:.4f}",
            f"{s['macro_f1']:.4f}",
        )
    out.print(sl)


def _confused_pairs(report: Any) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title="Most confused (a true label, and a label also predicted that the row lacks)",
        title_justify="left",
    )
    for col in ("true", "also predicted", "rows"):
        table.add_column(col, justify="right" if col == "rows" else "left")
    for pair in report.confused_pairs:
        table.add_row(escape(pair["true"]), escape(pair["predicted"]), str(pair["count"]))
    return table


def _confusion_table(report: Any) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Confusion matrix (rows: true, columns: predicted)", title_justify="left")
    table.add_column("")
    for label in report.labels:
        table.add_column(escape(label[:8]), justify="right")
    for i, label in enumerate(report.labels):
        if label in report.not_in_data:  # no row of the data has it: its row is all zeros
            continue
        row = report.confusion[i]
        total = sum(row) or 1
        cells = []
        for j, value in enumerate(row):
            share = value / total
            style = "bold green" if i == j else ("red" if share >= 0.05 else "dim" if value == 0 else "")
            cells.append(f"[{style}]{value}[/{style}]" if style else str(value))
        table.add_row(escape(label), *cells)
    return table


def register(app: typer.Typer) -> None:
    app.command("eval", help="Evaluate a model on a data split; the report is logged to its run.")(evaluate)
