"""Where output goes: data to stdout, progress, logs and hints to stderr.

Rich consoles are created on first use so `emoai --help` does not pay for them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


# Rich consoles built without `file=` look up sys.stdout/sys.stderr on every write, so caching
# them is safe even when tests swap the streams.
@lru_cache(maxsize=1)
def out() -> Console:
    """The stdout console (data); wide when piped, so tables are not squeezed to 80 columns."""
    import os

    from rich.console import Console

    width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "200"))
    return Console(soft_wrap=True, width=width)


@lru_cache(maxsize=1)
def err() -> Console:
    """The stderr console (progress, logs, hints, errors)."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


def print_json(data: Any) -> None:
    """Machine-readable output: plain JSON on stdout, no rich markup or wrapping."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()


def info(message: str) -> None:
    err().print(message, highlight=False)


def hint(message: str) -> None:
    from rich.markup import escape

    err().print(f"[dim]Hint:[/dim] {escape(message)}", highlight=False)


def progress_enabled(json_output: bool = False) -> bool:
    """Progress bars only for a human watching: stdout is a TTY and no --json."""
    return not json_output and sys.stdout.isatty()


class ProgressRenderer:
    """Turns core `ProgressEvent`/`LogEvent`s into one rich progress display on stderr."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> ProgressRenderer:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err(),
                transient=False,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def __call__(self, event: object) -> None:
        from emoai_core.base.events import LogEvent, ProgressEvent

        if isinstance(event, LogEvent):
            style = {"warning": "yellow", "error": "red"}.get(event.level, "dim")
            target = self._progress.console if self._progress is not None else err()
            target.print(f"[{style}]{event.message}[/{style}]", highlight=False)
        elif isinstance(event, ProgressEvent) and self._progress is not None:
            task = self._tasks.get(event.task)
            desc = event.description or event.task
            if task is None:
                task = self._tasks[event.task] = self._progress.add_task(desc, total=event.total)
            self._progress.update(task, completed=event.completed, total=event.total, description=desc)


@contextmanager
def progress(json_output: bool = False) -> Iterator[ProgressRenderer]:
    """A progress callback for core functions, shown only when a human is watching."""
    with ProgressRenderer(progress_enabled(json_output)) as renderer:
        yield renderer


def finish_now() -> None:
    """Exit 0 at once, skipping interpreter teardown, after a command whose output is written.

    Unloading numpy and onnxruntime costs ~50 ms of a 0.6 s `emoai predict`. Only for commands
    that start no Ray, MLflow or temp-file cleanup (their exit hooks would be skipped too), and
    only in the real `emoai` process: under a test runner this returns and the command ends normally.
    """
    from emoai_cli import process

    if not process.standalone:
        return
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def exit_interrupted() -> None:
    """Leave at once with exit code 130 after a Ctrl-C during Ray work.

    The terminal's Ctrl-C reaches the in-process Ray's own processes too; tearing the driver down
    through Python's exit hooks then can crash in Ray's native threads (seen as SIGSEGV). The run
    is already marked KILLED and the message printed; the in-process Ray's processes (its agents
    would outlive the driver by minutes) are killed and its temp folder removed first.
    """
    import os
    import sys

    from emoai_core.cluster.in_process import abandon

    abandon()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)
