"""The list of command groups the root app shows; one line per group keeps merges trivial."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from emoai_cli import cluster, dashboard, data, evaluate, predict, runs, serve, train, tune

    data.register(app)
    train.register(app)
    tune.register(app)
    evaluate.register(app)
    predict.register(app)
    runs.register(app)
    serve.register(app)
    cluster.register(app)
    dashboard.register(app)
