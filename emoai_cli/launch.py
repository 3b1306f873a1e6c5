"""The `emoai` console script: marks the process as the CLI itself, then runs the root app."""

from __future__ import annotations


def run() -> None:
    from emoai_cli import process

    process.mark_standalone()
    from emoai_cli.main import run as run_app

    run_app()
