"""Typed progress events that core functions emit instead of printing.

Long-running core functions take an `on_event` callback; the CLI renders events as rich
progress bars, the TUI as widgets, tests collect them in a list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressEvent:
    """`completed` of `total` units of `task` are done (`total` None: unknown)."""

    task: str
    completed: float
    total: float | None = None
    description: str | None = None


@dataclass(frozen=True)
class LogEvent:
    """A human-readable status line (rendered on stderr by the CLI)."""

    message: str
    level: str = "info"


EventCallback = Callable[[object], None]


def emit(on_event: EventCallback | None, event: object) -> None:
    if on_event is not None:
        on_event(event)
