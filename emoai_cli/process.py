"""Whether this process is the `emoai` program itself, or a program (or test) that imports the CLI.

Only the `emoai` process may leave without interpreter teardown once a command's output is
written (`console.finish_now`); a test runner importing the app must end commands normally.
"""

from __future__ import annotations

standalone = False


def mark_standalone() -> None:
    global standalone
    standalone = True
