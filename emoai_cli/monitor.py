"""`emoai monitor`: what the served models saw, and whether it drifted from their training data.

Exit codes: 0 report printed (drift or not, unless --fail-on-drift); 1 drift found with
--fail-on-drift; 2 bad options (e.g. --since) or a reference that cannot be built with --data.
"""

from __future__ import annotations

import typer

from emoai_cli import console


def monitor(
    since: str = typer.Option("1h", "--since", help="How far back to look: 30m, 1h, 2d, 1h30m."),
    json_output: bool = typer.Option(False, "--json", help="The whole report as JSON on stdout."),
    fail_on_drift: bool = typer.Option(
        False, "--fail-on-drift", help="Exit 1 when any quantity drifted (for cron and CI)."
    ),
    data: str | None = typer.Option(
        None, "--data", help="Reference data version (default: each model's training data)."
    ),
    buckets: int = typer.Option(12, "--buckets", min=1, max=120, help="Slices of the window over time."),
) -> None:
    """Traffic, latency, errors, labels and confidence over time, and drift against the training data."""
    from emoai_core.monitoring.records import parse_since
    from emoai_core.monitoring.report import monitor_report

    report = monitor_report(parse_since(since), data_ref=data, buckets=buckets)
    if json_output:
        console.print_json(report)
    else:
        from emoai_cli.monitor_view import render

        render(report, since)
    if report["drift"] is None and report["summary"]["texts"]:
        console.hint("no drift verdict: too few texts, or no reference (see above)")
    if fail_on_drift and report["drift"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor)
