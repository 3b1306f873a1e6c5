"""`emoai dashboard`: the command; the app itself lives in `app.py` (imported only when it runs)."""

from __future__ import annotations

import sys

import typer

from emoai_core.base.errors import UsageError


def dashboard(
    refresh: float = typer.Option(2.0, "--refresh", min=0.2, help="Seconds between polls of MLflow and Ray."),
    dashboard_url: str | None = typer.Option(
        None,
        "--dashboard-url",
        envvar="EMOAI_RAY_DASHBOARD_URL",
        help="Ray dashboard to read (default: the 'emoai cluster up' cluster's).",
    ),
    experiment: str | None = typer.Option(None, "--experiment", "-e", help="Only runs of this experiment."),
) -> None:
    """Live TUI: runs and their curves, cluster resources, the Serve app. Press ? inside for keys."""
    if dashboard_url and not dashboard_url.startswith(("http://", "https://")):
        raise UsageError(
            f"--dashboard-url must be an http(s) URL, not '{dashboard_url}'", "e.g. http://127.0.0.1:8265"
        )
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "emoai dashboard needs an interactive terminal",
            "run it in a terminal; for scripts use 'emoai runs list --json' or 'emoai cluster status --json'",
        )
    from emoai_cli.dashboard.app import DashboardApp
    from emoai_cli.dashboard.sources import real_sources

    DashboardApp(real_sources(dashboard_url, experiment), refresh=refresh).run()


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)
