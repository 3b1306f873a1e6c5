"""The list of command groups the root app shows; one line per group keeps merges trivial."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from emoai_cli import cluster, data, evaluate, predict, runs, serve, train

    data.register(app)
    train.register(app)
    evaluate.register(app)
    predict.register(app)
    runs.register(app)
    serve.register(app)
    cluster.register(app)
