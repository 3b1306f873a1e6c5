"""The `emoai` console script: marks the process as the CLI itself before the app is built.

Only then may the root app register just the command module the command line names (see
`emoai_cli.commands`) and may a finished command skip interpreter teardown
(`console.finish_now`); a program or test that imports `emoai_cli.main` gets neither.
"""

from __future__ import annotations

standalone = False


def run() -> None:
    global standalone
    standalone = True
    from emoai_cli.main import run as run_app

    run_app()
